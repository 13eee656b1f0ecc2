using AuthApiTemplate.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AuthApiTemplate.Infrastructure.ErrorHandling;

/// <summary>
/// A database that is down, locked or busy is a temporary condition: the client gets 503 with
/// Retry-After (fail closed), never a 500 with the provider's message.
/// </summary>
public sealed partial class DatabaseExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<DatabaseExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var failure = DatabaseFailure.Classify(exception);
        if (failure == DatabaseFailureKind.None)
        {
            return false;
        }

        if (failure == DatabaseFailureKind.Unavailable)
        {
            LogDatabaseUnavailable(logger, exception);
        }
        else if (DatabaseFailure.IsLostRace(exception))
        {
            // Another request got there first: the answer says so, and nothing needs fixing.
            LogRequestLostRace(logger, exception);
        }
        else
        {
            // A value the database refuses (a foreign key, a check, a number out of range) the API let through.
            LogRequestRefusedByDatabase(logger, failure, exception);
        }

        var (status, title) = failure switch
        {
            DatabaseFailureKind.Conflict => (StatusCodes.Status409Conflict, "The request conflicts with the current state of the resource."),
#if (usePostgres)
            DatabaseFailureKind.Invalid => (StatusCodes.Status400BadRequest, "The request contains a value that cannot be stored."),
#endif
            _ => (StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable. Retry later."),
        };

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status, Title = title },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database is unavailable; the request was answered 503")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The request lost a race with another one (the row changed, or the key exists); it was answered 409")]
    private static partial void LogRequestLostRace(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused the request's change ({Failure}); it was answered 4xx")]
    private static partial void LogRequestRefusedByDatabase(ILogger logger, DatabaseFailureKind failure, Exception exception);
}
