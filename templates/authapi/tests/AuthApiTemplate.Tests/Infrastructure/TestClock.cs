namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>The real clock, moved by <see cref="Advance"/>: for expiry boundaries without waiting.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Moves the clock so that it reads <paramref name="instant"/> now.</summary>
    public void SetUtcNow(DateTimeOffset instant) => Advance(instant - GetUtcNow());
}
