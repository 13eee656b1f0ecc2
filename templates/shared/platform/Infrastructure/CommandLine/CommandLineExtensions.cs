using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using AuthApiTemplate.Data;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.CommandLine;

public static partial class CommandLineExtensions
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

        var parsed = root.Parse(args);
        var cancellationToken = app.Lifetime.ApplicationStopping;
        // An operator gets one line that says what to do, never a stack trace: the failures a command meets
        // on a fresh or misconfigured deployment are expected ones.
        try
        {
            if (parsed.Errors.Count == 0 && parsed.Action is not HelpAction && parsed.CommandResult.Command != root
                && args[0] != MigrateCommand.Name && await DatabaseMigrator.PendingAsync(app.Services, cancellationToken) is [_, ..] pending)
            {
                await Console.Error.WriteLineAsync(
                    $"The database is not up to date ({string.Join(", ", pending)} {(pending.Count == 1 ? "has" : "have")} pending migrations): run '{AppCommandName(app)} {MigrateCommand.Name}' first.");
                return 1;
            }

            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (OptionsValidationException exception)
        {
            foreach (var failure in exception.Failures)
            {
                await Console.Error.WriteLineAsync("Invalid setting: " + SettingProblem(exception.OptionsType, failure));
            }

            return 1;
        }
        catch (Exception exception) when (DatabaseFailure.Classify(exception) == DatabaseFailureKind.Unavailable)
        {
            await Console.Error.WriteLineAsync($"The database cannot be reached: {exception.GetBaseException().Message} Check ConnectionStrings:Default.");
            return 1;
        }
    }

    /// <summary>How the operator runs this app's commands: the published dll, or the project with dotnet run.</summary>
    private static string AppCommandName(WebApplication app) =>
        app.Environment.IsDevelopment() ? "dotnet run --" : $"dotnet {app.Environment.ApplicationName}.dll";

    /// <summary>
    /// A validation failure as the setting an operator edits: "ApiKeys:DefaultPermitsPerMinute must be between
    /// 1 and 1000000." rather than the validator's wording, which names the class and its property.
    /// </summary>
    private static string SettingProblem(Type optionsType, string failure)
    {
        var section = optionsType.GetField("SectionName")?.GetValue(null) as string;
        if (section is null || failure.StartsWith(section + ":", StringComparison.Ordinal))
        {
            return failure;
        }

        return DataAnnotationFailure().Match(failure) is { Success: true } match
            ? $"{section}:{match.Groups["property"].Value} {match.Groups["rule"].Value}"
            : $"{section}: {failure}";
    }

    // What the options validator generator writes: "Member: The field Class.Member must be between 1 and 10."
    [GeneratedRegex(@"^[\w.]+: The field \w+\.(?<property>\w+) (?<rule>.+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex DataAnnotationFailure();
}
