using System.CommandLine;
using System.Globalization;
using AuthApiTemplate.Infrastructure.CommandLine;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// `apikeys create --name N --scopes "a,b" [--expires-at 2030-01-01T00:00:00Z] [--permits-per-minute N]`
/// prints the secret alone on the last line (the operator may grant <c>*</c>); `apikeys list`;
/// `apikeys revoke &lt;id&gt;`.
/// </summary>
internal sealed class ApiKeysCommand : IAppCommand
{
    public Command Create(IServiceProvider services)
    {
        var apikeys = new Command("apikeys", "Manage API keys.");
        apikeys.Subcommands.Add(CreateKey(services));
        apikeys.Subcommands.Add(List(services));
        apikeys.Subcommands.Add(Revoke(services));
        return apikeys;
    }

    private static Command CreateKey(IServiceProvider services)
    {
        var name = new Option<string>("--name") { Description = "What the key is for.", Required = true };
        var scopes = new Option<string>("--scopes") { Description = "Comma-separated scopes, for example \"items:read,items:*\" or \"*\".", Required = true };
        var expiresAt = new Option<DateTimeOffset?>("--expires-at") { Description = "When the key stops working (ISO 8601)." };
        var permits = new Option<int?>("--permits-per-minute") { Description = "The key's own rate limit." };
        var command = new Command("create", "Create a key and print its secret (shown only once) on the last line.") { name, scopes, expiresAt, permits };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            var request = new CreateApiKeyRequest(
                parse.GetValue(name)!,
                parse.GetValue(scopes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(expiresAt),
                parse.GetValue(permits));
            var errors = ApiKeyEndpoints.Validate(request, caller: null, scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow());
            if (errors.Count > 0)
            {
                foreach (var (field, messages) in errors)
                {
                    await Console.Error.WriteLineAsync($"{field}: {string.Join(" ", messages)}");
                }

                return 1;
            }

            var created = await scope.ServiceProvider.GetRequiredService<ApiKeyStore>()
                .CreateAsync(request.Name, request.Scopes, request.ExpiresAt, request.PermitsPerMinute, "cli", cancellationToken);
            await Console.Out.WriteLineAsync($"Created API key {created.Key.Id} ({created.Key.Prefix}…) with scopes [{string.Join(',', created.Key.Scopes)}]. Store the secret now; it is not shown again:");
            await Console.Out.WriteLineAsync(created.Secret);
            return 0;
        });
        return command;
    }

    private static Command List(IServiceProvider services)
    {
        var command = new Command("list", "List keys (never their secrets).");
        command.SetAction(async (_, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            foreach (var key in await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().ListAsync(cancellationToken))
            {
                var state = key.RevokedAt is not null ? "revoked" : key.ExpiresAt is { } e && e <= now ? "expired" : "active";
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{key.Id}  {key.Prefix}…  {state,-7}  {key.Name}  [{string.Join(',', key.Scopes)}]  expires {key.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}  last used {key.LastUsedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}"));
            }

            return 0;
        });
        return command;
    }

    private static Command Revoke(IServiceProvider services)
    {
        var id = new Argument<Guid>("id") { Description = "The key's id." };
        var command = new Command("revoke", "Revoke a key; it stops working at once.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var scope = services.CreateAsyncScope();
            var revoked = await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().RevokeAsync(parse.GetValue(id), cancellationToken);
            if (revoked is null)
            {
                await Console.Error.WriteLineAsync($"No API key has the id {parse.GetValue(id)}.");
                return 1;
            }

            await Console.Out.WriteLineAsync($"Revoked {revoked.Id} ({revoked.Prefix}…).");
            return 0;
        });
        return command;
    }
}
