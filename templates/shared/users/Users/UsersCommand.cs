using System.CommandLine;
using AuthApiTemplate.Infrastructure.CommandLine;

namespace AuthApiTemplate.Users;

/// <summary>
/// `users create &lt;email&gt; [--roles a,b] [--name "Display Name"]` prints the new user's id (the
/// <c>sub</c> of their tokens) alone on the last line; `users promote &lt;email&gt; &lt;role&gt;`;
/// `users disable|enable &lt;email&gt;`.
/// </summary>
internal sealed class UsersCommand : IAppCommand
{
    public Command Create(IServiceProvider services)
    {
        var users = new Command("users", "Manage the people who can sign in.");
        users.Subcommands.Add(CreateUser(services));
        users.Subcommands.Add(Promote(services));
        users.Subcommands.Add(SetDisabled(services, "disable", disabled: true));
        users.Subcommands.Add(SetDisabled(services, "enable", disabled: false));
        return users;
    }

    private static Command CreateUser(IServiceProvider services)
    {
        var email = new Argument<string>("email") { Description = "The user's email address." };
        var roles = new Option<string?>("--roles") { Description = "Comma-separated roles, for example admin,editor." };
        var name = new Option<string?>("--name") { Description = "The display name." };
        var command = new Command("create", "Create a user and print their id.") { email, roles, name };
        command.SetAction((parse, cancellationToken) => RunAsync(services, async store =>
        {
            var roleList = (parse.GetValue(roles) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var user = await store.CreateAsync(parse.GetValue(email)!, roleList, parse.GetValue(name), cancellationToken);
            await Console.Out.WriteLineAsync($"Created user {user.Email} with roles [{string.Join(',', user.Roles)}]. Id:");
            await Console.Out.WriteLineAsync(user.Id.ToString());
        }));
        return command;
    }

    private static Command Promote(IServiceProvider services)
    {
        var email = new Argument<string>("email") { Description = "The user's email address." };
        var role = new Argument<string>("role") { Description = "The role to grant, for example admin." };
        var command = new Command("promote", "Grant a user a role.") { email, role };
        command.SetAction((parse, cancellationToken) => RunAsync(services, async store =>
        {
            var user = await store.AddRoleAsync(parse.GetValue(email)!, parse.GetValue(role)!, cancellationToken);
            await Console.Out.WriteLineAsync($"{user.Email} now has roles [{string.Join(',', user.Roles)}]; it applies to tokens issued from now on.");
        }));
        return command;
    }

    private static Command SetDisabled(IServiceProvider services, string name, bool disabled)
    {
        var email = new Argument<string>("email") { Description = "The user's email address." };
        var command = new Command(name, disabled ? "Stop a user from signing in; their sessions end at their next request." : "Allow a disabled user to sign in again.") { email };
        command.SetAction((parse, cancellationToken) => RunAsync(services, async store =>
        {
            var user = await store.FindByEmailAsync(parse.GetValue(email)!, cancellationToken)
                ?? throw new UserStoreException($"No user has the email '{parse.GetValue(email)}'.");
            await store.SetDisabledAsync(user.Id, disabled, cancellationToken);
            await Console.Out.WriteLineAsync($"{user.Email} is {(disabled ? "disabled" : "enabled")}.");
        }));
        return command;
    }

    private static async Task<int> RunAsync(IServiceProvider services, Func<UserStore, Task> action)
    {
        await using var scope = services.CreateAsyncScope();
        try
        {
            await action(scope.ServiceProvider.GetRequiredService<UserStore>());
            return 0;
        }
        catch (UserStoreException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 1;
        }
    }
}
