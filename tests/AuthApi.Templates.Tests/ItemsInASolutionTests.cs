using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The item templates where an <c>authapi</c> user stands: in the solution root, which holds the .slnx and no
/// project. The items' help says where to run them. Their project-capability constraint looks for a project in
/// the output folder and the folders above it, so in the root it refuses before writing anything;
/// <c>-o src/&lt;Name&gt;</c> points it at the project.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class ItemsInASolutionTests(TemplatePackFixture fixture)
{
    /// <summary>The template engine's exit code for a template whose constraints are not met.</summary>
    private const int ConstraintsNotMet = 100;

    public static TheoryData<string> Items => ["apikeys", "jwtauth", "googleauth", "usagetracker"];

    [Theory]
    [MemberData(nameof(Items))]
    public async Task In_the_solution_root_an_item_refuses_and_writes_nothing(string item)
    {
        var app = await fixture.GetAppAsync(Variants.Default);
        var before = app.CurrentFiles();

        var result = await app.RunDotnetAsync(["new", item, "--no-update-check"]);

        Assert.True(result.ExitCode == ConstraintsNotMet, result.Describe($"dotnet new {item} in the solution root did not refuse."));
        Assert.Contains($"No project was found at the path: {app.Directory}", result.Output, StringComparison.Ordinal);
        Assert.Contains("This template can only be created inside the project.", result.Output, StringComparison.Ordinal);
        Assert.Equal(before, app.CurrentFiles());
    }

    [Theory]
    [MemberData(nameof(Items))]
    public async Task From_the_solution_root_with_o_src_Name_an_item_writes_into_the_project_folder(string item)
    {
        var app = await fixture.GetAppAsync(Variants.Default);

        // --force because the authapi project already has the shared files; --dry-run leaves the shared app as it is.
        var result = (await app.RunDotnetAsync(["new", item, "-o", $"src/{app.Name}", "--force", "--dry-run", "--no-update-check"]))
            .EnsureSuccess($"dotnet new {item} -o src/{app.Name} from the solution root failed.");

        var paths = FileAction().Matches(result.Output).Select(m => m.Groups["path"].Value).ToList();
        Assert.True(paths.Count > 0, result.Describe("The dry run listed no files."));
        Assert.All(paths, path => Assert.StartsWith($"src/{app.Name}/", path, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Items))]
    public async Task The_items_help_says_where_to_run_it(string item)
    {
        var help = (await fixture.Cli.RunAsync(["new", item, "-h", "--no-update-check"], fixture.AppsDirectory)).EnsureSuccess($"dotnet new {item} -h failed.");

        Assert.Contains("Run it in the project folder, or from an authapi solution's root with -o src/<Name>.",
            string.Join(' ', help.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+(?:Create|Overwrite): (?<path>\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex FileAction();
}
