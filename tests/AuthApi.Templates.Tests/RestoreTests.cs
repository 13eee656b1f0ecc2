using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The restore post action restores the solution once by default and is skipped with --no-restore (or
/// --skip-restore, its former name).
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class RestoreTests(TemplatePackFixture fixture)
{
    private const string AssetsFile = "obj/project.assets.json";

    [Fact]
    public async Task DefaultScaffoldingRestoresTheSolutionOnce()
    {
        var app = await fixture.GetAppAsync(Variants.Default);
        foreach (var project in new[] { $"src/{app.Name}", $"tests/{app.Name}.Tests" })
        {
            var expected = $"{project}/{AssetsFile}";
            Assert.True(
                app.FilesAfterScaffold.Contains(expected),
                app.ScaffoldResult.Describe($"dotnet new did not restore: no {expected} right after scaffolding."));
        }

        var restores = app.ScaffoldResult.Output.Split('\n').Where(line => line.StartsWith("Restoring ", StringComparison.Ordinal)).ToList();
        Assert.True(
            restores.Count == 1 && restores[0].TrimEnd().EndsWith($"{app.Name}.slnx:", StringComparison.Ordinal),
            app.ScaffoldResult.Describe($"expected one restore of the solution, saw: {string.Join(" | ", restores)}"));
    }

    [Theory]
    [InlineData("no-restore")]
    [InlineData("skip-restore")]
    public async Task NoRestoreLeavesNoAssets(string variantName)
    {
        var app = await fixture.GetAppAsync(variantName == "no-restore" ? Variants.NoRestore : Variants.SkipRestore);
        Assert.Contains($"src/{app.Name}/{app.Name}.csproj", app.FilesAfterScaffold);
        var assets = app.FilesAfterScaffold.Where(f => f == AssetsFile || f.EndsWith("/" + AssetsFile, StringComparison.Ordinal)).ToList();
        Assert.True(
            assets.Count == 0,
            app.ScaffoldResult.Describe($"--{variantName} was not honoured; found: {string.Join(", ", assets)}"));
    }

    [Fact]
    public void RestoreIsSkippedWithNoRestoreAndItsFormerName()
    {
        var authApi = fixture.Templates.Single(t => t.ShortNames.Contains("authapi"));
        Assert.Equal(("--no-restore", null), authApi.CliFlags("skipRestore"));
        // --skip-restore still works, but help no longer offers it.
        Assert.Null(authApi.CliFlags("skipRestoreAlias"));
        Assert.Equal("skip-restore", authApi.CliHost!.Value.GetProperty("symbolInfo").GetProperty("skipRestoreAlias").GetProperty("longName").GetString());
    }
}
