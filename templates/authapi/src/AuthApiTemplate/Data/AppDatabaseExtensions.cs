namespace AuthApiTemplate.Data;

public static class AppDatabaseExtensions
{
    public static IHostApplicationBuilder AddAppDatabase(this IHostApplicationBuilder builder) =>
        builder.AddDatabaseContext<AppDbContext>(AppDbContext.MigrationsHistoryTable);
}
