namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>The servers a test run uses, named by environment variables.</summary>
public static class TestServices
{
#if (useRedis)
    public const string RedisVariable = "AUTHAPI_TEST_REDIS";

    /// <summary>The Redis server the tests share; each app under test gets a key prefix of its own.</summary>
    public static string Redis => Require(RedisVariable, "127.0.0.1:6379");

    /// <summary>A prefix no other app under test uses, for Redis:KeyPrefix.</summary>
    public static string NewRedisPrefix() => "authapi-test:" + Guid.NewGuid().ToString("N")[..12] + ":";

#endif
    /// <summary>The variable's value; a missing one fails the test (this variant cannot be tested without the server).</summary>
    public static string Require(string variable, string example)
    {
        var value = System.Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"{variable} is not set. This app's tests need a real server; set it, e.g. {variable}=\"{example}\".")
            : value;
    }
}
