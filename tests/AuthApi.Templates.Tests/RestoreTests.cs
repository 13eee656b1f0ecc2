using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>The restore post action runs by default and is skipped with --skip-restore.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class RestoreTests(TemplatePackFixture fixture)
{
    private const string AssetsFile = "obj/project.assets.json";

    [Fact]
    public async Task DefaultScaffoldingRunsRestore()
    {
        var app = await fixture.GetAppAsync(Variants.Default);
        var expected = $"src/{app.Name}/{AssetsFile}";
        Assert.True(
            app.FilesAfterScaffold.Contains(expected),
            app.ScaffoldResult.Describe($"dotnet new did not restore: no {expected} right after scaffolding."));
    }

    [Fact]
    public async Task SkipRestoreLeavesNoAssets()
    {
        var app = await fixture.GetAppAsync(Variants.SkipRestore);
        Assert.Contains($"src/{app.Name}/{app.Name}.csproj", app.FilesAfterScaffold);
        var assets = app.FilesAfterScaffold.Where(f => f == AssetsFile || f.EndsWith("/" + AssetsFile, StringComparison.Ordinal)).ToList();
        Assert.True(
            assets.Count == 0,
            app.ScaffoldResult.Describe($"--skip-restore was not honoured; found: {string.Join(", ", assets)}"));
    }
}
