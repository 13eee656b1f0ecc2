namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// The real clock, moved by <see cref="Advance"/> or stopped at an instant by <see cref="SetUtcNow"/>: for
/// expiry boundaries without waiting. A running clock keeps going while a request travels to the code
/// that reads it (a fresh app's first request can take more than a second on a busy machine), so a test
/// of a boundary stops the clock on either side of it.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _lock = new();
    private TimeSpan _offset;
    private DateTimeOffset? _stoppedAt;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _stoppedAt ?? System.GetUtcNow() + _offset;
        }
    }

    /// <summary>Moves the clock forward; a stopped clock stays stopped, at the later instant.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _offset += by;
            _stoppedAt += by;
        }
    }

    /// <summary>Stops the clock at <paramref name="instant"/>: it reads exactly that until set or advanced again.</summary>
    public void SetUtcNow(DateTimeOffset instant)
    {
        lock (_lock)
        {
            _stoppedAt = instant;
        }
    }
}
