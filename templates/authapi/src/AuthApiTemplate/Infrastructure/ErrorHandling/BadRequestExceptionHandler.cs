using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AuthApiTemplate.Infrastructure.ErrorHandling;

/// <summary>
/// Turns the framework's binding failures (malformed JSON, a wrong JSON type, an unparsable route or
/// query value, an oversized body) into a 4xx problem that tells the client what to fix.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    private const string ImplicitBodyMissing = "Implicit body inferred";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = "The request is invalid.",
                // The framework's messages name the parameter and the expected format, never server internals;
                // the one for a JSON `null` body is advice to the API's developer instead.
                Detail = badRequest.Message.StartsWith(ImplicitBodyMissing, StringComparison.Ordinal) ? "A JSON object body is required." : badRequest.Message,
            },
        });
    }
}
