using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// The app with one more piece of pipeline, added by <typeparamref name="TRoute"/> after the app's own: a
/// route that only a test needs (one that fails, one with another guard).
/// </summary>
public class ApiFactoryWithRoute<TRoute> : ApiFactory
    where TRoute : class, IStartupFilter
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TRoute>());
    }
}
