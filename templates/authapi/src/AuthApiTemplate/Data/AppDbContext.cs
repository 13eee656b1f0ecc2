using AuthApiTemplate.Items;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Data;

/// <summary>
/// The API's own tables. Each plugin keeps its tables in a DbContext of its own, with its own
/// migrations and history table, so any set of plugins shares one database without conflicts.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory";

    public DbSet<Item> Items => Set<Item>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfiguration(new ItemConfiguration());
}
