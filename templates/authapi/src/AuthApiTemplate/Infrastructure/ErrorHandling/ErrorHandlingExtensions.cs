namespace AuthApiTemplate.Infrastructure.ErrorHandling;

public static class ErrorHandlingExtensions
{
    public static IHostApplicationBuilder AddErrorHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var http = context.HttpContext;
            context.ProblemDetails.Instance ??= $"{http.Request.Method} {http.Request.Path}";
            // The default writer adds traceId only for some responses; clients quote it when reporting a problem.
            context.ProblemDetails.Extensions.TryAdd(
                "traceId", System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier);
        });

        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

        // Malformed requests are thrown as BadHttpRequestException in every environment so that
        // BadRequestExceptionHandler turns them into a problem response that says what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        return builder;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        // Unhandled exceptions become a 500 problem with a trace id; the exception text stays in the log.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException badRequest
                ? badRequest.StatusCode
                : StatusCodes.Status500InternalServerError,
        });

        // 404 for unknown routes, 405 for a wrong method and every other bodiless error get a problem body.
        app.UseStatusCodePages();
        app.UseMiddleware<RequestCharsetValidation>();
        return app;
    }
}
