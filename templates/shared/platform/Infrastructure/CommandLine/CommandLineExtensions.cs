using System.CommandLine;
using AuthApiTemplate.Data;

namespace AuthApiTemplate.Infrastructure.CommandLine;

public static class CommandLineExtensions
{
    /// <summary>
    /// Registers the operator commands. When the app was started as a command, log lines go to
    /// standard error so that standard output carries only what the command prints for scripts.
    /// </summary>
    public static IHostApplicationBuilder AddAppCommands(this IHostApplicationBuilder builder, string[] args)
    {
        builder.Services.AddSingleton<IAppCommand, MigrateCommand>();
        if (IsCommandLineInvocation(args))
        {
            builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        return builder;
    }

    /// <summary>A first argument that is a word (not an option like --urls, nor key=value configuration) names a command.</summary>
    public static bool IsCommandLineInvocation(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].StartsWith('/') && !args[0].Contains('=', StringComparison.Ordinal);

    /// <summary>
    /// Runs the command the arguments name (its exit code becomes the process's), or else serves the
    /// API. Either way pending migrations are applied first where configured (Development).
    /// </summary>
    public static async Task RunAppOrCommandAsync(this WebApplication app, string[] args)
    {
        await app.MigrateDatabasesIfConfiguredAsync();
        if (IsCommandLineInvocation(args))
        {
            Environment.ExitCode = await app.RunCommandAsync(args);
            return;
        }

        await app.RunAsync();
    }

    private static async Task<int> RunCommandAsync(this WebApplication app, string[] args)
    {
        var root = new RootCommand($"{app.Environment.ApplicationName}: run without a command to serve the API, or run one of these commands.");
        foreach (var command in app.Services.GetServices<IAppCommand>())
        {
            root.Subcommands.Add(command.Create(app.Services));
        }

        return await root.Parse(args).InvokeAsync(cancellationToken: app.Lifetime.ApplicationStopping);
    }
}
