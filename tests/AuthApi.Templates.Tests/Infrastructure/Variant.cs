namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// One way of instantiating a template: which template, the project name and the dotnet new
/// options. The fixture scaffolds (and, unless <see cref="Build"/> is false, builds) each distinct
/// variant once per run, however many tests use it, so a matrix of options stays affordable.
/// </summary>
/// <param name="Id">Stable, file-system-safe id; also the output folder name.</param>
/// <param name="Name">The value of -n (the project/solution name).</param>
/// <param name="Options">Template options, e.g. ["--jwt", "false", "--database", "postgres"].</param>
/// <param name="Template">Short name of the template to instantiate.</param>
/// <param name="Build">Whether to run 'dotnet build -c Release -warnaserror' after scaffolding.</param>
public sealed record Variant(string Id, string Name, IReadOnlyList<string> Options, string Template = "authapi", bool Build = true)
{
    /// <summary>Identifies the definition (records compare lists by reference, this compares their content).</summary>
    public string Key => string.Join('\u001f', new[] { Template, Name, Build.ToString() }.Concat(Options));

    public override string ToString() =>
        $"{Id}: dotnet new {Template} -n {Name}{(Options.Count > 0 ? " " + string.Join(' ', Options) : string.Empty)}{(Build ? string.Empty : " (not built)")}";
}

/// <summary>The variants the tests use. Add new option combinations here.</summary>
public static class Variants
{
    /// <summary>Default options, named after the app's Users folder.</summary>
    public static readonly Variant Default = new("default", "Users", []);

    /// <summary>
    /// No plugin at all: the base app alone, with open items routes. Its name is not a valid C# identifier:
    /// file names keep it, the namespace becomes My.Company_Api.
    /// </summary>
    public static readonly Variant NoPlugins = new("no-plugins", "My.Company-Api", ["--jwt", "false"]);

    /// <summary>The usage tracker with the default JWT plugin: protected analytics routes.</summary>
    public static readonly Variant Usage = new("usage", "Usage", ["--usage", "--sampling-rate", "0.5", "--retention-days", "14"]);

    /// <summary>The usage tracker without an authentication plugin: open analytics routes (the dashboard browser test).</summary>
    public static readonly Variant UsageOpen = new("usage-open", "Acme", ["--usage", "--jwt", "false"]);

    /// <summary>API keys beside JWT, with scopes of the API's own besides the sample resource's (one of those repeated).</summary>
    public static readonly Variant ApiKeys = new("apikeys", "Items", ["--apikeys", "--scopes", "items:read,orders:read,orders:write"]);

    /// <summary>API keys as the only credential.</summary>
    public static readonly Variant ApiKeysOnly = new("apikeys-only", "Acme", ["--apikeys", "--jwt", "false", "--database", "postgres"]);

    /// <summary>Every plugin that exists so far, together.</summary>
    public static readonly Variant AllPlugins = new("all-plugins", "Auth", ["--apikeys", "--usage", "--google"]);

    /// <summary>Google sign-in as the only sign-in, ending in a cookie session.</summary>
    public static readonly Variant GoogleCookie = new("google-cookie", "Infrastructure", ["--jwt", "false", "--google", "--google-session", "cookie"]);

    /// <summary>
    /// Scaled out: PostgreSQL and Redis (its own tests start two instances on one database and one Redis),
    /// with a Google cookie sign-in that starts on one instance and completes on the other.
    /// </summary>
    public static readonly Variant ScaleOut = new("postgres-redis", "Data", ["--database", "postgres", "--cache", "redis", "--apikeys", "--usage", "--google", "--google-session", "cookie"]);

    /// <summary>Google (jwt mode) and API keys beside JWT on SQLite, with Redis (pairwise coverage).</summary>
    public static readonly Variant GoogleRedis = new("google-redis", "Acme", ["--google", "--apikeys", "--cache", "redis"]);

    /// <summary>Google's jwt mode bringing the JWT plugin in without --jwt, on PostgreSQL (pairwise coverage).</summary>
    public static readonly Variant GooglePostgres = new("google-postgres", "Acme", ["--jwt", "false", "--google", "--database", "postgres"]);

    /// <summary>The usage tracker with no sign-in, on SQLite with Redis (pairwise coverage), for a TLS-terminating proxy (no HTTPS).</summary>
    public static readonly Variant UsageRedis = new("usage-redis", "Acme", ["--jwt", "false", "--usage", "--cache", "redis", "--no-https"]);

    /// <summary>--no-restore; only scaffolded, so the output is seen as dotnet new left it.</summary>
    public static readonly Variant NoRestore = new("no-restore", "Acme", ["--no-restore"], Build: false);

    /// <summary>--skip-restore, the former name of --no-restore, still accepted; only scaffolded.</summary>
    public static readonly Variant SkipRestore = new("skip-restore", "Acme", ["--skip-restore"], Build: false);

    /// <summary>Ports given on the command line instead of picked; only scaffolded.</summary>
    public static readonly Variant FixedPorts = new("fixed-ports", "Acme", ["--kestrelHttpPort", "5123", "--kestrelHttpsPort", "7123", "--no-restore"], Build: false);

    /// <summary>Variants that are scaffolded, built and tested by <c>ScaffoldTests</c>.</summary>
    /// <remarks>
    /// Several are named after the app's own folders (and so namespaces), or with a name that is not a
    /// C# identifier, which <c>ProjectNameTests</c> checks; the rest are named Acme.
    /// Together they hold every pair of values of the plugin and infrastructure options (checked by
    /// <c>OptionMatrixTests</c>), all off (<see cref="NoPlugins"/>) and all on (<see cref="ScaleOut"/>).
    /// </remarks>
    public static readonly IReadOnlyList<Variant> Built = [Default, NoPlugins, ApiKeys, ApiKeysOnly, Usage, AllPlugins, GoogleCookie, GoogleRedis, GooglePostgres, UsageRedis, ScaleOut];

    public static readonly IReadOnlyList<Variant> All = [.. Built, UsageOpen, NoRestore, SkipRestore, FixedPorts];

    public static Variant ById(string id) =>
        All.SingleOrDefault(v => v.Id == id) ?? throw new ArgumentException($"No variant with id '{id}'.", nameof(id));
}
