using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.Proxies;

/// <summary>
/// Behind a reverse proxy the connection comes from the proxy over plain HTTP. From a proxy listed in
/// <see cref="KnownProxiesOptions"/> the app takes the client's address (rate limits, logs) and scheme
/// (Google's callback URL, secure cookies, HTTPS redirection) from the forwarded headers instead.
/// </summary>
public static class KnownProxiesExtensions
{
    public static IHostApplicationBuilder AddKnownProxies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KnownProxiesOptions>()
            .Bind(builder.Configuration.GetSection(KnownProxiesOptions.SectionName))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KnownProxiesOptions>, KnownProxiesOptionsValidator>());

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<KnownProxiesOptions>>((forwarded, known) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // Entries that do not parse have already stopped the app (KnownProxiesOptionsValidator).
            foreach (var proxy in known.Value.KnownProxies)
            {
                if (KnownProxiesOptionsValidator.TryParseAddress(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }

            foreach (var network in known.Value.KnownNetworks)
            {
                if (KnownProxiesOptionsValidator.TryParseNetwork(network, out var parsed))
                {
                    forwarded.KnownIPNetworks.Add(parsed);
                }
            }

            // A chain of known proxies (a CDN in front of a load balancer) is walked back hop by hop, and
            // the walk stops at the first address that is not a known proxy: that one is the client.
            forwarded.ForwardLimit = null;
        });

        return builder;
    }

    public static WebApplication UseKnownProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<KnownProxiesOptions>>().Value.AnyConfigured)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
