using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Infrastructure.OpenApi;

public static class ApiDocumentExtensions
{
    public const string DocumentName = "v1";

    public const string Route = "/openapi/" + DocumentName + ".json";

    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiDocumentOptions>()
            .BindConfiguration(ApiDocumentOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiDocumentOptions>, ApiDocumentOptionsValidator>());
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, context, _) =>
            {
                // The framework names the request's own scheme and Host header as the server, which a client
                // chooses; the document is served to everyone from one copy, so it names no host it was not given.
                var serverUrl = context.ApplicationServices.GetRequiredService<IOptions<ApiDocumentOptions>>().Value.ServerUrl;
                document.Servers = [new OpenApiServer { Url = string.IsNullOrEmpty(serverUrl) ? "/" : serverUrl }];
                document.Info.Description = "The HTTP API of " + context.ApplicationServices.GetRequiredService<IHostEnvironment>().ApplicationName
                    + ". Every error is an RFC 9457 problem (application/problem+json) with a traceId.";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<ProblemResponses>();
        });
        builder.Services.AddApiTag("Items", "The sample resource: a list of named items to replace with your own.");
        builder.Services.TryAddSingleton<ApiDocument>();
        return builder;
    }

    /// <summary>
    /// The document at its literal path: the framework's "/openapi/{documentName}.json" would answer any other
    /// name with a plain-text 404 of its own instead of the app's problem details.
    /// </summary>
    public static RouteHandlerBuilder MapApiDocument(this IEndpointRouteBuilder app) =>
        app.MapGet(Route, async (ApiDocument document, CancellationToken cancellationToken) =>
            {
                var rendered = await document.GetAsync(cancellationToken);
                // With the entity tag, a client that sends it back in If-None-Match gets a 304 without the body.
                return TypedResults.Bytes(rendered.Utf8Json, ApiDocument.ContentType, entityTag: rendered.ETag);
            })
            .ExcludeFromDescription();
}

/// <summary>
/// The OpenAPI document, generated on first use and then served from memory. Generating it walks every
/// endpoint and schema, tens of milliseconds of CPU, on an anonymous route; nothing in it changes while the
/// app runs, so it is generated once.
/// </summary>
public sealed class ApiDocument(
    [FromKeyedServices(ApiDocumentExtensions.DocumentName)] IOpenApiDocumentProvider provider,
    IOptionsMonitor<OpenApiOptions> options)
{
    public const string ContentType = "application/json;charset=utf-8";

    private readonly Lock _gate = new();
    private Task<RenderedApiDocument>? _rendered;

    public Task<RenderedApiDocument> GetAsync(CancellationToken cancellationToken)
    {
        Task<RenderedApiDocument> rendered;
        lock (_gate)
        {
            // Concurrent first requests share one generation; one that failed is tried again by the next request.
            if (_rendered is null || _rendered.IsFaulted || _rendered.IsCanceled)
            {
                _rendered = Task.Run(RenderAsync, CancellationToken.None);
            }

            rendered = _rendered;
        }

        // A caller that goes away stops waiting; the generation the others share goes on.
        return rendered.WaitAsync(cancellationToken);
    }

    private async Task<RenderedApiDocument> RenderAsync()
    {
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);

        // Written as the framework's MapOpenApi writes it, so the bytes are the same as it would serve.
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        await document.SerializeAsync(new OpenApiJsonWriter(text), options.Get(ApiDocumentExtensions.DocumentName).OpenApiVersion, CancellationToken.None);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var etag = new EntityTagHeaderValue("\"" + Base64Url.EncodeToString(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"");
        return new RenderedApiDocument(bytes, etag);
    }
}

public sealed record RenderedApiDocument(byte[] Utf8Json, EntityTagHeaderValue ETag);

public sealed class ApiDocumentOptions
{
    public const string SectionName = "OpenApi";

    /// <summary>
    /// The absolute http(s) URL the document names as the API's server (for example behind a path base or on
    /// another host than the document's); unset, the server is "/", the host the document was fetched from.
    /// </summary>
    public string? ServerUrl { get; set; }
}

/// <summary>
/// Refuses a server URL that clients could not call the API at. The message says what is wrong without
/// repeating the value, which might carry credentials.
/// </summary>
public sealed class ApiDocumentOptionsValidator : IValidateOptions<ApiDocumentOptions>
{
    private const string Setting = ApiDocumentOptions.SectionName + ":" + nameof(ApiDocumentOptions.ServerUrl);

    public ValidateOptionsResult Validate(string? name, ApiDocumentOptions options)
    {
        var value = options.ServerUrl;
        if (string.IsNullOrEmpty(value))
        {
            return ValidateOptionsResult.Success;
        }

        string? problem = null;
        if (value.Trim().Length != value.Length || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            problem = "is not an absolute URL";
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            problem = "is not an http or https URL";
        }
        else if (uri.UserInfo.Length > 0 || value.Contains('?', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal))
        {
            problem = "carries user info, a query or a fragment";
        }

        return problem is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{Setting} {problem}: set the absolute http or https URL the API is reached at (for example https://api.example.com), or leave it unset to name the server \"/\".");
    }
}
