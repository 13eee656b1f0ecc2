using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Infrastructure.OpenApi;

/// <summary>
/// Documents the error answers the pipeline gives on every operation, each as an RFC 9457 problem, so that a
/// generated client has a typed error for each: 400 for a bad parameter or body, 415 for a body of another
/// media type, 429 where the rate limiter runs, 500 for a bug; 404s and the like an endpoint declares itself get
/// the problem schema. 401 and 403 come from the security requirements (ApiSecurityOpenApi).
/// </summary>
public sealed class ProblemResponses : IOpenApiOperationTransformer
{
    public const string ContentType = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (operation.Parameters is { Count: > 0 } || operation.RequestBody is not null)
        {
            await AddAsync(operation, context, StatusCodes.Status400BadRequest, "The request is malformed or fails validation; `errors` names each field.", cancellationToken, validation: true);
        }

        if (operation.RequestBody is not null)
        {
            await AddAsync(operation, context, StatusCodes.Status415UnsupportedMediaType, "The body is not JSON.", cancellationToken);
        }

        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            await AddAsync(operation, context, StatusCodes.Status429TooManyRequests, "Over the caller's rate limit; `Retry-After` says when to try again.", cancellationToken);
        }

        await AddAsync(operation, context, StatusCodes.Status500InternalServerError, "An unexpected error; the trace id finds it in the log.", cancellationToken);

        // Error answers the endpoint declares (404, 409, ...) are problems too.
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (int.TryParse(status, CultureInfo.InvariantCulture, out var code) && code >= 400 && response is OpenApiResponse { Content: null or { Count: 0 } } bare)
            {
                bare.Content = await ContentAsync(context, code == StatusCodes.Status400BadRequest, cancellationToken);
            }
        }
    }

    /// <summary>Adds an error answer with the problem schema unless the operation already lists that status.</summary>
    public static async Task AddAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description, CancellationToken cancellationToken, bool validation = false)
    {
        operation.Responses ??= [];
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (!operation.Responses.ContainsKey(key))
        {
            operation.Responses[key] = new OpenApiResponse { Description = description, Content = await ContentAsync(context, validation, cancellationToken) };
        }
    }

    private static async Task<Dictionary<string, OpenApiMediaType>> ContentAsync(OpenApiOperationTransformerContext context, bool validation, CancellationToken cancellationToken)
    {
        var type = validation ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
        {
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }

        return new Dictionary<string, OpenApiMediaType>
        {
            [ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(type.Name, document) },
        };
    }
}
