#if (apikeys)
using AuthApiTemplate.Auth.ApiKeys;
#endif
#if (jwt)
using AuthApiTemplate.Auth.Jwt;
#endif
using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure;
using AuthApiTemplate.Infrastructure.CommandLine;
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
#if (jwt)
builder.AddJwtAuth();
#endif
#if (apikeys)
builder.AddApiKeys();
#endif

var app = builder.Build();

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
#if (jwt)
app.MapJwtEndpoints();
#endif
#if (apikeys)
app.MapApiKeyEndpoints();
#endif

await app.RunAppOrCommandAsync(args);
