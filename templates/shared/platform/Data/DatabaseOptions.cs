using System.ComponentModel.DataAnnotations;

namespace AuthApiTemplate.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Apply pending EF Core migrations when the app starts (on in Development).</summary>
    public bool MigrateOnStartup { get; set; }

    /// <summary>How long a SQLite command waits for a lock held by another writer before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class DatabaseOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<DatabaseOptions>;
