namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>The servers a test run uses, named by environment variables.</summary>
public static class TestServices
{
#if (useRedis)
    public const string RedisVariable = "AUTHAPI_TEST_REDIS";

    /// <summary>The Redis server the tests share; each app under test gets a key prefix of its own.</summary>
    public static string Redis
    {
        get
        {
            var redis = Require(RedisVariable, "127.0.0.1:6379");
            var endPoint = StackExchange.Redis.ConfigurationOptions.Parse(redis).EndPoints.FirstOrDefault();
            var (host, port) = endPoint switch
            {
                System.Net.DnsEndPoint dns => (dns.Host, dns.Port),
                System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => ("127.0.0.1", 6379),
            };
            RequireReachable("Redis", host, port == 0 ? 6379 : port, RedisVariable);
            return redis;
        }
    }

    /// <summary>A prefix no other app under test uses, for Redis:KeyPrefix.</summary>
    public static string NewRedisPrefix() => "authapi-test:" + Guid.NewGuid().ToString("N")[..12] + ":";

#endif
    /// <summary>
    /// Fails at once, in one line that names the service and the setting, when nothing listens where the setting
    /// points: a test would otherwise wait out the client's connect timeout, once per test.
    /// </summary>
    public static void RequireReachable(string service, string host, int port, string variable)
    {
        using var probe = new System.Net.Sockets.TcpClient();
        bool connected;
        try
        {
            connected = probe.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(3));
        }
        catch (AggregateException)
        {
            connected = false;
        }

        if (!connected)
        {
            throw new InvalidOperationException(
                $"{service} is not reachable at {host}:{port} ({variable}). Start it (README: Test) or point {variable} at one that runs.");
        }
    }

    /// <summary>The variable's value; a missing one fails the test (this variant cannot be tested without the server).</summary>
    public static string Require(string variable, string example)
    {
        var value = System.Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"{variable} is not set. This app's tests need a real server; set it, e.g. {variable}=\"{example}\".")
            : value;
    }
}
