using System.CommandLine;
using AuthApiTemplate.Data;

namespace AuthApiTemplate.Infrastructure.CommandLine;

/// <summary>`migrate`: applies every pending EF Core migration of the app and its plugins, then exits.</summary>
internal sealed class MigrateCommand : IAppCommand
{
    public const string Name = "migrate";

    public Command Create(IServiceProvider services)
    {
        var command = new Command(Name, "Apply all pending database migrations (the app's and every plugin's) and exit.");
        command.SetAction(async (_, cancellationToken) =>
        {
            await DatabaseMigrator.MigrateAsync(services, cancellationToken);
            await Console.Out.WriteLineAsync("Database is up to date.");
            return 0;
        });
        return command;
    }
}
