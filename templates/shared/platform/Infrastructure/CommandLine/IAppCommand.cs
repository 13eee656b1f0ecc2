using System.CommandLine;

namespace AuthApiTemplate.Infrastructure.CommandLine;

/// <summary>
/// An operator command of the app (`dotnet run -- migrate`, `dotnet App.dll migrate`). The base app
/// has `migrate`; plugins add theirs (`users`, `apikeys`) by registering more implementations.
/// </summary>
public interface IAppCommand
{
    Command Create(IServiceProvider services);
}
