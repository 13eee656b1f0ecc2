using System.Globalization;
using System.Text.RegularExpressions;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>Totals read from the console output of 'dotnet test' (VSTest or Microsoft.Testing.Platform).</summary>
public sealed partial record TestRunSummary(int Total, int Passed, int Failed, int Skipped)
{
    /// <summary>Sums every per-assembly summary line; null when the output has none.</summary>
    public static TestRunSummary? Parse(string output)
    {
        // VSTest: "Passed!  - Failed:     0, Passed:     3, Skipped:     0, Total:     3, Duration: 1 s - Acme.Tests.dll (net10.0)"
        var vstest = VsTestLine().Matches(output);
        if (vstest.Count > 0)
        {
            return vstest.Aggregate(
                new TestRunSummary(0, 0, 0, 0),
                (sum, m) => new TestRunSummary(
                    sum.Total + Int(m, "total"),
                    sum.Passed + Int(m, "passed"),
                    sum.Failed + Int(m, "failed"),
                    sum.Skipped + Int(m, "skipped")));
        }

        // Microsoft.Testing.Platform: "Test run summary: Passed!" followed by "total: 3", "failed: 0", "succeeded: 3", "skipped: 0".
        var mtp = MtpBlock().Matches(output);
        if (mtp.Count > 0)
        {
            var last = mtp[^1];
            return new TestRunSummary(Int(last, "total"), Int(last, "passed"), Int(last, "failed"), Int(last, "skipped"));
        }

        return null;
    }

    public override string ToString() => $"{Total} total, {Passed} passed, {Failed} failed, {Skipped} skipped";

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?:Passed|Failed)!\s+-\s+Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+),\s+Skipped:\s+(?<skipped>\d+),\s+Total:\s+(?<total>\d+)")]
    private static partial Regex VsTestLine();

    [GeneratedRegex(@"Test run summary:.*?total:\s*(?<total>\d+)\s+failed:\s*(?<failed>\d+)\s+succeeded:\s*(?<passed>\d+)\s+skipped:\s*(?<skipped>\d+)", RegexOptions.Singleline)]
    private static partial Regex MtpBlock();
}
