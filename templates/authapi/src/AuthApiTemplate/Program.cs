#if (apikeys)
using AuthApiTemplate.Auth.ApiKeys;
#endif
#if (google)
using AuthApiTemplate.Auth.Google;
#endif
#if (jwtPlugin)
using AuthApiTemplate.Auth.Jwt;
#endif
using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure;
using AuthApiTemplate.Infrastructure.CommandLine;
#if (!noHttps)
using AuthApiTemplate.Infrastructure.Https;
#endif
using AuthApiTemplate.Infrastructure.Proxies;
using AuthApiTemplate.Items;
#if (usage)
using AuthApiTemplate.Usage;
#endif

var builder = WebApplication.CreateBuilder(args);

builder.AddAppCommands(args);
builder.AddApiDefaults();
builder.AddAppDatabase();
#if (usage)
builder.AddUsageTracking();
#endif
#if (jwtPlugin)
builder.AddJwtAuth();
#endif
#if (google)
builder.AddGoogleAuth();
#endif
#if (apikeys)
builder.AddApiKeys();
#endif
#if (usage && signsInUsers)
builder.Services.AddScoped<IUsageConsumerNames, UserConsumerNames>();
#endif
#if (usage && apikeys)
builder.Services.AddScoped<IUsageConsumerNames, ApiKeyConsumerNames>();
#endif

var app = builder.Build();

// First, so that everything below sees the client's own address and scheme.
app.UseKnownProxies();
#if (!noHttps)
app.UseHttpsOutsideDevelopment();
#endif
#if (usage)
// First, so that durations and final statuses include error handling and rate limiting.
app.UseUsageTracking();
#endif
app.UseApiDefaults();

app.MapApiDefaultEndpoints();
app.MapItemsEndpoints();
#if (usage)
app.MapUsageEndpoints();
#endif
#if (jwtPlugin)
app.MapJwtEndpoints();
#endif
#if (google)
app.MapGoogleAuthEndpoints();
#endif
#if (apikeys)
app.MapApiKeyEndpoints();
#endif

await app.RunAppOrCommandAsync(args);
