using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.Https;

/// <summary>
/// Outside Development, plain HTTP is redirected to HTTPS and HTTPS responses carry HSTS, unless
/// <see cref="HttpsOptions.TerminatedByProxy"/> says a proxy in front does both. Development keeps the
/// http launch profile usable; the https profile runs on the development certificate.
/// </summary>
public static class HttpsExtensions
{
    public static IHostApplicationBuilder AddHttpsOutsideDevelopment(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpsOptions>().Bind(builder.Configuration.GetSection(HttpsOptions.SectionName));
        return builder;
    }

    public static WebApplication UseHttpsOutsideDevelopment(this WebApplication app)
    {
        if (app.Environment.IsDevelopment() || app.Services.GetRequiredService<IOptions<HttpsOptions>>().Value.TerminatedByProxy)
        {
            return app;
        }

        app.UseHsts();
        app.UseHttpsRedirection();
        return app;
    }
}
