namespace AuthApiTemplate.Usage;

/// <summary>
/// Log-bucketed latency histogram: bucket <c>i</c> holds durations in [2^(i/16), 2^((i+1)/16)) microseconds,
/// 16 buckets per doubling from 1 µs to about 71 minutes. Reporting a bucket's geometric midpoint is at most
/// 2^(1/32) - 1 ≈ 2.2 % away from any value in it, so every percentile is within that of the exact one,
/// whatever the distribution, at a fixed 4 KB per series (and a few bytes in the store, where only the
/// non-empty buckets are written).
/// </summary>
public static class LatencyBuckets
{
    public const int Count = 512;
    public const int PerDoubling = 16;

    public static int IndexOf(double milliseconds)
    {
        var microseconds = milliseconds * 1000.0;
        if (!(microseconds >= 1.0))
        {
            return 0;
        }

        var index = (int)(Math.Log2(microseconds) * PerDoubling);
        return index >= Count ? Count - 1 : index;
    }

    /// <summary>The geometric midpoint of bucket <paramref name="index"/>, in milliseconds.</summary>
    public static double ValueOf(int index) => Math.Pow(2.0, (index + 0.5) / PerDoubling) / 1000.0;
}

/// <summary>One live series' histogram, written by many request threads at once without locks.</summary>
public sealed class ConcurrentLatencyHistogram
{
    private readonly int[] _counts = new int[LatencyBuckets.Count];

    public void Record(int bucket) => Interlocked.Increment(ref _counts[bucket]);

    public void AddTo(LatencyHistogram target)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = Volatile.Read(ref _counts[i]);
            if (count != 0)
            {
                target.Add(i, count);
            }
        }
    }

    public void Reset() => Array.Clear(_counts);
}

/// <summary>A histogram being merged from many series or stored rows, and read for percentiles.</summary>
public sealed class LatencyHistogram
{
    private readonly long[] _counts = new long[LatencyBuckets.Count];

    public long Total { get; private set; }

    public void Add(int bucket, long count)
    {
        _counts[bucket] += count;
        Total += count;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (other._counts[i] != 0)
            {
                Add(i, other._counts[i]);
            }
        }
    }

    /// <summary>Adds a histogram stored by <see cref="Encode"/>: (bucket delta, count) pairs as unsigned LEB128.</summary>
    public void AddEncoded(ReadOnlySpan<byte> encoded)
    {
        var position = 0;
        var bucket = 0;
        while (position < encoded.Length)
        {
            bucket += (int)ReadVarint(encoded, ref position);
            var count = (long)ReadVarint(encoded, ref position);
            if ((uint)bucket >= LatencyBuckets.Count)
            {
                throw new InvalidDataException("A stored latency histogram names a bucket out of range.");
            }

            Add(bucket, count);
        }
    }

    public byte[] Encode()
    {
        var buffer = new List<byte>(64);
        var previous = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] != 0)
            {
                WriteVarint(buffer, (ulong)(i - previous));
                WriteVarint(buffer, (ulong)_counts[i]);
                previous = i;
            }
        }

        return [.. buffer];
    }

    /// <summary>The duration below which a share <paramref name="quantile"/> of the requests fell (nearest rank), in ms.</summary>
    public double? Percentile(double quantile)
    {
        if (Total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Rounded(LatencyBuckets.ValueOf(i));
            }
        }

        return Rounded(LatencyBuckets.ValueOf(LatencyBuckets.Count - 1));
    }

    // Five significant digits, so that the rounding adds nothing noticeable to the bucket's 2.2 % at any
    // latency: a fixed number of decimals would be coarse for an in-memory 404 at 0.05 ms.
    private static double Rounded(double milliseconds) =>
        Math.Round(milliseconds, Math.Clamp(4 - (int)Math.Floor(Math.Log10(milliseconds)), 0, 15));

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                break;
            }

            var current = data[position++];
            value |= (ulong)(current & 0x7F) << shift;
            if (current < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A stored latency histogram is truncated.");
    }
}
