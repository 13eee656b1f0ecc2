using System.CommandLine;
using System.Text.Json;
using AuthApiTemplate.Infrastructure.CommandLine;
using AuthApiTemplate.Users;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// `tokens create &lt;email&gt;` signs an existing user in from the command line and prints the token
/// pair as JSON: for trying the API and for operators, in place of an interactive login.
/// </summary>
internal sealed class TokensCommand : IAppCommand
{
    public Command Create(IServiceProvider services)
    {
        var email = new Argument<string>("email") { Description = "The email of an existing user." };
        var create = new Command("create", "Start a session for a user and print its token pair as JSON.") { email };
        create.SetAction(async (parse, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<UserStore>().FindByEmailAsync(parse.GetValue(email)!, cancellationToken);
            if (user is null || user.Disabled)
            {
                await Console.Error.WriteLineAsync($"No enabled user has the email '{parse.GetValue(email)}'. Create one with: users create <email>");
                return 1;
            }

            var pair = await scope.ServiceProvider.GetRequiredService<TokenService>().IssueAsync(user, cancellationToken);
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(pair, JsonSerializerOptions.Web));
            return 0;
        });

        return new Command("tokens", "Issue JWT token pairs.") { create };
    }
}
