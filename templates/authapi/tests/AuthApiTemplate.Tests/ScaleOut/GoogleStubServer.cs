using AuthApiTemplate.Tests.Google;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests.ScaleOut;

/// <summary>
/// The Google stand-in over real HTTP on a loopback port. App instances that run as processes of their own
/// cannot be handed an in-process <see cref="GoogleStub"/>, so this server passes each request it receives
/// to one stub and sends back the stub's answer; the stub alone decides what Google says.
/// </summary>
public sealed class GoogleStubServer : IAsyncDisposable
{
    private readonly WebApplication _server;
    private GoogleStub? _stub;
    private HttpMessageInvoker? _invoker;

    private GoogleStubServer(WebApplication server) => _server = server;

    /// <summary>The stub behind the server, with its endpoints at the server's address.</summary>
    public GoogleStub Stub => _stub ?? throw new InvalidOperationException("The server has not started.");

    public static async Task<GoogleStubServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new GoogleStubServer(builder.Build());
        server._server.Run(server.ForwardAsync);
        await server._server.StartAsync();

        // The stub's endpoints are URLs on this server, whose port is known only once it listens; nobody
        // can send it a request before the address is returned.
        var address = server._server.Urls.Single();
        server._stub = new GoogleStub(address);
        server._invoker = new HttpMessageInvoker(server._stub, disposeHandler: false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        _invoker?.Dispose();
        _stub?.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), Stub.BaseAddress + request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            message.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await _invoker!.SendAsync(message, context.RequestAborted);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        await answer.Content.CopyToAsync(response.Body, context.RequestAborted);
    }
}
