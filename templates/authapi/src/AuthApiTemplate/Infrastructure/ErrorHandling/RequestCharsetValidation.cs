using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace AuthApiTemplate.Infrastructure.ErrorHandling;

/// <summary>
/// A body whose Content-Type names a charset .NET does not know is refused with 415 before any endpoint
/// reads it: the framework's JSON reader throws InvalidOperationException for it, which would be a 500.
/// </summary>
internal sealed class RequestCharsetValidation(RequestDelegate next, IProblemDetailsService problemDetails)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            && mediaType.Charset is { HasValue: true } charset
            && !IsKnownEncoding(charset.Value!))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await problemDetails.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "Unsupported charset.",
                    Detail = "Send the body as UTF-8 (Content-Type: application/json; charset=utf-8).",
                },
            });
            return;
        }

        await next(context);
    }

    private static bool IsKnownEncoding(string name)
    {
        try
        {
            // The same lookup the framework's body readers make.
            _ = Encoding.GetEncoding(name.Trim('"'));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
