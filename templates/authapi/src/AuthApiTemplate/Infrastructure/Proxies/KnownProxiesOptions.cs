using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.Proxies;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the app believes. Anyone can
/// send those headers, so with both lists empty (the default) the app ignores them and sees the connection
/// as it is; the framework's own default (trust loopback) is not used either, because a proxy on the same
/// host is only one of many set-ups and a guess here would hand clients their own rate-limit partition.
/// </summary>
public sealed class KnownProxiesOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of the proxies in front of the app, e.g. <c>10.0.0.5</c> or <c>fd00::5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, in CIDR form, e.g. <c>10.0.0.0/24</c> for a load balancer's subnet.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool AnyConfigured => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}

/// <summary>
/// Every entry must be written out in full: a typo would otherwise trust nobody, and a short form such as
/// <c>10.0.0</c> (read as 10.0.0.0) or a network with host bits (<c>10.0.0.1/8</c>) may trust someone else.
/// </summary>
public sealed class KnownProxiesOptionsValidator : IValidateOptions<KnownProxiesOptions>
{
    public static bool TryParseAddress(string value, [NotNullWhen(true)] out IPAddress? address) =>
        IPAddress.TryParse(value, out address)
        && (address.AddressFamily != AddressFamily.InterNetwork || value.Count(c => c == '.') == 3);

    public static bool TryParseNetwork(string value, out IPNetwork network)
    {
        network = default;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && TryParseAddress(value[..slash], out var address)
            && IPNetwork.TryParse(value, out network)
            && network.BaseAddress.Equals(address);
    }

    public ValidateOptionsResult Validate(string? name, KnownProxiesOptions options)
    {
        var failures = new List<string>();
        foreach (var proxy in options.KnownProxies)
        {
            if (!TryParseAddress(proxy, out _))
            {
                failures.Add($"{KnownProxiesOptions.SectionName}:KnownProxies: '{proxy}' is not an IP address written in full.");
            }
        }

        foreach (var network in options.KnownNetworks)
        {
            if (!TryParseNetwork(network, out _))
            {
                failures.Add($"{KnownProxiesOptions.SectionName}:KnownNetworks: '{network}' is not a network in CIDR form with no bits set after its prefix (such as 10.0.0.0/8).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
