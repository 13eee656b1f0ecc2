using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// Every log line the app writes, with its exception, so tests can check what logs reveal. With a
/// <see cref="TestSink"/> the lines are also written to a file there, for the after-suite secret scan.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _fileLock = new();
    private StreamWriter? _file;

    public CapturedLogs()
    {
        if (TestSink.NewLogFile("app") is { } path)
        {
            _file = new StreamWriter(path, append: false) { AutoFlush = true };
        }
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Closes the sink file; lines logged afterwards are still captured in memory.</summary>
    public void Dispose()
    {
        lock (_fileLock)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        lock (_fileLock)
        {
            _file?.WriteLine(line);
        }
    }

    private sealed class Logger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
