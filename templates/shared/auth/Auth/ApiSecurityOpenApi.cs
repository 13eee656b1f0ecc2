using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Auth;

/// <summary>
/// Puts each credential kind's security scheme in the OpenAPI document and, on every endpoint that
/// requires authorization, a requirement naming those schemes (with the endpoint's scope).
/// </summary>
public static class ApiSecurityOpenApi
{
    public static IServiceCollection AddApiSecurityScheme(this IServiceCollection services, string name, Func<OpenApiSecurityScheme> scheme) =>
        services.ConfigureAll<OpenApiOptions>(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[name] = scheme();
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (!metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<AuthorizationPolicy>().Any())
                {
                    return Task.CompletedTask;
                }

                var optional = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == ApiPolicies.OptionalUser);
                var scopes = metadata.OfType<IRequiredScopeMetadata>().Select(s => s.Scope).Distinct(StringComparer.Ordinal).ToList();
                operation.Security ??= [];
                if (optional && operation.Security.Count == 0)
                {
                    // An empty requirement is OpenAPI's way of saying "anonymous is fine too".
                    operation.Security.Add(new OpenApiSecurityRequirement());
                }

                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(name, context.Document)] = scopes,
                });
                return Task.CompletedTask;
            });
        });
}
