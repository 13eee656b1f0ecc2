using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.ScaleOut;

/// <summary>
/// One instance of the app as its own process on a free loopback port, the way it runs behind a load
/// balancer: given the same database and the same Redis key prefix, two of them are one deployment.
/// </summary>
public sealed class AppInstance : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppInstance(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the app's dll in Development (its signing key) without migrating, and waits until /health/ready is 200.</summary>
    public static async Task<AppInstance> StartAsync(string connectionString, string redisPrefix, IReadOnlyDictionary<string, string>? settings = null)
    {
        var appDll = typeof(Program).Assembly.Location;
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["ConnectionStrings__Redis"] = TestServices.Redis;
        start.Environment["Redis__KeyPrefix"] = redisPrefix;
        // Migrations are applied once before the instances start, as a deployment does.
        start.Environment["Database__MigrateOnStartup"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var instance = new AppInstance(Process.Start(start)!, address);
        instance._process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        instance._process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
        instance._process.BeginOutputReadLine();
        instance._process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !instance._process.HasExited)
        {
            try
            {
                if ((await instance.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return instance;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        var output = instance.Output;
        await instance.DisposeAsync();
        throw new InvalidOperationException($"The app at {address} did not become ready:\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        TestSink.WriteLog("instance", Output);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
