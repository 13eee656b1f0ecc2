namespace AuthApiTemplate.Auth.Jwt;

public sealed record RefreshRequest(string RefreshToken);

public sealed record MeResponse(Guid Id, string Email, string? DisplayName, IReadOnlyList<string> Roles, DateTimeOffset AuthTime);

public sealed record ProfileResponse(string Subject, string? Email, IReadOnlyList<string> Roles);

public sealed record HelloResponse(string Message, bool Authenticated, string? Subject);

public sealed record PingResponse(string Message, DateTimeOffset At);

public sealed record SensitiveResponse(string Message, DateTimeOffset AuthTime);
