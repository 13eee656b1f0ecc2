using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace AuthApiTemplate.Infrastructure.ErrorHandling;

/// <summary>
/// A body whose Content-Type names a charset the framework's body readers cannot decode is refused with 415
/// before any endpoint reads it: the readers throw for it, which would be a 500. A quoted charset
/// (<c>charset="utf-8"</c>, which RFC 9110 makes equal to the bare token) is passed on unquoted, since
/// the readers look the value up exactly as written.
/// </summary>
internal sealed class RequestCharsetValidation(RequestDelegate next, IProblemDetailsService problemDetails)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            && mediaType.Charset is { HasValue: true } charset)
        {
            var name = HeaderUtilities.RemoveQuotes(charset);
            if (!IsDecodable(name.Value!))
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

            if (name.Length != charset.Length)
            {
                mediaType.Charset = name;
                context.Request.ContentType = mediaType.ToString();
            }
        }

        await next(context);
    }

    private static bool IsDecodable(string name)
    {
        try
        {
            // The same lookup the framework's body readers make.
            _ = Encoding.GetEncoding(name);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            // NotSupportedException: UTF-7, which .NET knows but has disabled.
            return false;
        }
    }
}
