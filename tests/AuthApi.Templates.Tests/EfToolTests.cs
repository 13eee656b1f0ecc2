using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>EF Core's own tools work on a scaffolded app, as its README says (the tool is pinned in .config).</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class EfToolTests(TemplatePackFixture fixture)
{
    [Fact]
    public async Task DotnetEfListsEveryContextsMigrations()
    {
        var app = await fixture.GetAppAsync(Variants.Default);
        (await app.RunDotnetAsync(["tool", "restore"])).EnsureSuccess("dotnet tool restore failed in the scaffolded solution.");

        foreach (var (context, migration) in new[] { ("AppDbContext", "InitialCreate"), ("UsersDbContext", "InitialUsers"), ("JwtDbContext", "InitialJwt") })
        {
            var listed = (await app.RunDotnetAsync(["ef", "migrations", "list", "--project", $"src/{app.Name}", "--context", context, "--configuration", "Release"]))
                .EnsureSuccess($"dotnet ef migrations list --context {context} failed.");
            Assert.Contains(migration, listed.Output, StringComparison.Ordinal);
        }
    }
}
