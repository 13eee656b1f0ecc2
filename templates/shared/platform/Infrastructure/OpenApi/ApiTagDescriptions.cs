using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Infrastructure.OpenApi;

public sealed class ApiTagOptions
{
    public Dictionary<string, string> Descriptions { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Describes the document's tags (the groups its reference pages and generated clients are organised by);
/// each feature describes the tag its endpoints carry.
/// </summary>
public sealed class ApiTagDescriptions(IOptions<ApiTagOptions> options) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (tag.Name is { } name && options.Value.Descriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }
}

public static class ApiTagExtensions
{
    public static IServiceCollection AddApiTag(this IServiceCollection services, string name, string description)
    {
        if (!services.Any(s => s.ServiceType == typeof(ApiTagDescriptions)))
        {
            services.AddSingleton<ApiTagDescriptions>();
            services.ConfigureAll<OpenApiOptions>(options => options.AddDocumentTransformer<ApiTagDescriptions>());
        }

        return services.Configure<ApiTagOptions>(options => options.Descriptions[name] = description);
    }
}
