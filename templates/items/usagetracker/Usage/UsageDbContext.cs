using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthApiTemplate.Usage;

/// <summary>The usage tracker's tables, with their own migrations and history table.</summary>
public sealed class UsageDbContext(DbContextOptions<UsageDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_Usage";

    public DbSet<UsageTotalRollup> Totals => Set<UsageTotalRollup>();

    public DbSet<UsageEndpointRollup> Endpoints => Set<UsageEndpointRollup>();

    public DbSet<UsageConsumerRollup> Consumers => Set<UsageConsumerRollup>();

    public DbSet<UsageRequest> Requests => Set<UsageRequest>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new UsageTotalRollupConfiguration());
        modelBuilder.ApplyConfiguration(new UsageEndpointRollupConfiguration());
        modelBuilder.ApplyConfiguration(new UsageConsumerRollupConfiguration());
        modelBuilder.ApplyConfiguration(new UsageRequestConfiguration());
    }
}

internal sealed class UsageTotalRollupConfiguration : IEntityTypeConfiguration<UsageTotalRollup>
{
    public void Configure(EntityTypeBuilder<UsageTotalRollup> rollup)
    {
        rollup.ToTable("UsageTotals");
        rollup.HasKey(r => new { r.BucketSeconds, r.PeriodStart });
        rollup.HasIndex(r => r.PeriodStart);
        rollup.Property(r => r.Histogram).IsRequired();
    }
}

internal sealed class UsageEndpointRollupConfiguration : IEntityTypeConfiguration<UsageEndpointRollup>
{
    public void Configure(EntityTypeBuilder<UsageEndpointRollup> rollup)
    {
        rollup.ToTable("UsageEndpointRollups");
        rollup.HasKey(r => new { r.BucketSeconds, r.PeriodStart, r.Method, r.Route });
        rollup.HasIndex(r => r.PeriodStart);
        rollup.Property(r => r.Method).HasMaxLength(UsageLimits.MethodMaxLength);
        rollup.Property(r => r.Route).HasMaxLength(UsageLimits.RouteMaxLength);
        rollup.Property(r => r.Histogram).IsRequired();
    }
}

internal sealed class UsageConsumerRollupConfiguration : IEntityTypeConfiguration<UsageConsumerRollup>
{
    public void Configure(EntityTypeBuilder<UsageConsumerRollup> rollup)
    {
        rollup.ToTable("UsageConsumerRollups");
        rollup.HasKey(r => new { r.BucketSeconds, r.PeriodStart, r.Method, r.Route, r.StatusCode, r.Consumer });
        rollup.HasIndex(r => r.PeriodStart);
        rollup.Property(r => r.Method).HasMaxLength(UsageLimits.MethodMaxLength);
        rollup.Property(r => r.Route).HasMaxLength(UsageLimits.RouteMaxLength);
        rollup.Property(r => r.Consumer).HasMaxLength(UsageLimits.ConsumerMaxLength);
    }
}

internal sealed class UsageRequestConfiguration : IEntityTypeConfiguration<UsageRequest>
{
    public void Configure(EntityTypeBuilder<UsageRequest> request)
    {
        request.ToTable("UsageRequests");
        request.HasKey(r => r.Id);
        request.HasIndex(r => r.Timestamp);
        request.Property(r => r.Method).HasMaxLength(UsageLimits.MethodMaxLength).IsRequired();
        request.Property(r => r.Route).HasMaxLength(UsageLimits.RouteMaxLength).IsRequired();
        request.Property(r => r.Consumer).HasMaxLength(UsageLimits.ConsumerMaxLength).IsRequired();
    }
}
