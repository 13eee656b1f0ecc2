using System.IO.Compression;
using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>The packed .nupkg, installed into the private hive.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class InstallTests(TemplatePackFixture fixture)
{
    /// <summary>Every template short name in the repository (for per-template theories).</summary>
    public static TheoryData<string> ShortNames()
    {
        var data = new TheoryData<string>();
        foreach (var template in TemplateDefinition.LoadAll(RepoLayout.FindRepoRoot()))
        {
            data.Add(template.PrimaryShortName);
        }

        return data;
    }

    /// <summary>The item templates' short names.</summary>
    public static TheoryData<string> ItemShortNames()
    {
        var data = new TheoryData<string>();
        foreach (var template in TemplateDefinition.LoadAll(RepoLayout.FindRepoRoot()).Where(t => t.IsItem))
        {
            data.Add(template.PrimaryShortName);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ItemShortNames))]
    public async Task AnItemTemplateRefusesBeforeWritingAFileOutsideAnAspNetCoreProject(string shortName)
    {
        var empty = Directory.CreateDirectory(Path.Combine(fixture.TempRoot, "no-project-" + shortName)).FullName;
        var outside = await fixture.Cli.RunAsync(["new", shortName, "--no-update-check"], empty, TimeSpan.FromMinutes(2));
        Assert.True(outside.ExitCode == 100, outside.Describe("Expected exit code 100 (constraints not met)."));
        Assert.Contains("constraints are not met", outside.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));

        var console = Path.Combine(fixture.TempRoot, "console-" + shortName);
        Directory.CreateDirectory(console);
        await File.WriteAllTextAsync(Path.Combine(console, "Tool.csproj"),
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        (await fixture.Cli.RunAsync(["restore"], console, TimeSpan.FromMinutes(5))).EnsureSuccess("Restoring the console project failed.");
        var before = Directory.EnumerateFileSystemEntries(console).Count();
        var inConsole = await fixture.Cli.RunAsync(["new", shortName, "--no-update-check"], console, TimeSpan.FromMinutes(2));
        Assert.True(inConsole.ExitCode == 100, inConsole.Describe("Expected exit code 100 in a console project."));
        Assert.Contains("does not satisfy", inConsole.Output, StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(console).Count());
    }

    [Fact]
    public void TemplatesAreAbsentBeforeInstall()
    {
        Assert.Contains("authapi", fixture.ListBeforeInstall.Keys);
        foreach (var (shortName, list) in fixture.ListBeforeInstall)
        {
            Assert.False(
                TemplatePackFixture.IsListed(list, shortName),
                list.Describe($"'{shortName}' was listed in the private hive before the pack was installed."));
        }
    }

    [Fact]
    public async Task EveryTemplateIsListedAfterInstall()
    {
        var shortNames = fixture.Templates.SelectMany(t => t.ShortNames).Distinct(StringComparer.Ordinal).ToList();
        Assert.Contains("authapi", shortNames);
        foreach (var shortName in shortNames)
        {
            var list = await fixture.ListAsync(shortName);
            Assert.True(
                TemplatePackFixture.IsListed(list, shortName),
                list.Describe($"'{shortName}' is not listed after installing {fixture.PackagePath}."));
        }
    }

    [Fact]
    public void PackageHoldsEveryTemplateConfigAndNoBuildOutput()
    {
        using var zip = ZipFile.OpenRead(fixture.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToList();

        foreach (var template in fixture.Templates)
        {
            Assert.Contains($"content/templates/{template.RelativeDirectory}/.template.config/template.json", entries);
        }

        var unwanted = entries.Where(e =>
                e.Split('/').Any(segment => segment is "bin" or "obj" or "TestResults" or ".vs")
                || Regex.IsMatch(Path.GetFileName(e), @"\.db(-shm|-wal)?$"))
            .ToList();
        Assert.True(unwanted.Count == 0, "The package contains build output or local databases:\n" + string.Join('\n', unwanted));

        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        var text = reader.ReadToEnd();
        Assert.Contains("<id>AuthApi.Templates</id>", text, StringComparison.Ordinal);
        Assert.Matches(@"<packageType\s+name=""Template""", text);
    }

    /// <summary>What a package gallery shows: icon, licence, release notes and a readme that works there.</summary>
    [Fact]
    public void PackageCarriesItsIconLicenceReleaseNotesAndAGalleryReadyReadme()
    {
        using var zip = ZipFile.OpenRead(fixture.PackagePath);
        var nuspec = ReadEntry(zip, zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).FullName);
        Assert.Contains("<icon>icon.png</icon>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
        Assert.Matches(@"<releaseNotes>\S[^<]+</releaseNotes>", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
        // No repository or project address is declared: the pack names none that does not exist.
        Assert.DoesNotContain("<projectUrl>", nuspec, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"<repository[^>]*\burl=", nuspec);

        Assert.StartsWith("MIT License", ReadEntry(zip, "LICENSE"), StringComparison.Ordinal);
        Assert.Contains(zip.Entries, e => e.FullName == "icon.png" && e.Length > 0);

        var readme = ReadEntry(zip, "README.md");
        Assert.Contains("dotnet new install AuthApi.Templates", readme, StringComparison.Ordinal);
        Assert.Contains("dotnet pack TemplatePack.csproj", readme, StringComparison.Ordinal);
        // A gallery shows the readme alone: a link to a file beside it would break there.
        var relativeLinks = Regex.Matches(readme, @"\]\((?!https?://|#)[^)]*\)").Select(m => m.Value).ToList();
        Assert.True(relativeLinks.Count == 0, "The package readme links to files a gallery does not have: " + string.Join(", ", relativeLinks));
    }

    private static string ReadEntry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    [Theory]
    [MemberData(nameof(ShortNames))]
    public async Task HelpListsEveryOption(string shortName)
    {
        var template = fixture.TemplateFor(shortName);
        var help = (await fixture.Cli.RunAsync(["new", shortName, "-h"], fixture.TempRoot, TimeSpan.FromMinutes(2)))
            .EnsureSuccess($"dotnet new {shortName} -h failed.");

        var missing = new List<string>();
        foreach (var (symbol, _) in template.ParameterSymbols)
        {
            if (template.CliFlags(symbol) is not var (longFlag, shortFlag))
            {
                continue; // hidden from the command line by dotnetcli.host.json
            }

            if (!HasFlag(help.Output, longFlag))
            {
                missing.Add($"{symbol}: {longFlag}");
            }

            if (shortFlag is not null && !HasFlag(help.Output, shortFlag))
            {
                missing.Add($"{symbol}: {shortFlag}");
            }
        }

        Assert.True(missing.Count == 0, help.Describe($"dotnet new {shortName} -h does not list: {string.Join(", ", missing)}"));
    }

    private static bool HasFlag(string help, string flag) =>
        Regex.IsMatch(help, @"(^|[\s,])" + Regex.Escape(flag) + @"($|[\s,<])", RegexOptions.Multiline);
}
