using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure;
using AuthApiTemplate.Infrastructure.CommandLine;
using AuthApiTemplate.Items;

var builder = WebApplication.CreateBuilder(args);

builder.AddAppCommands(args);
builder.AddApiDefaults();
builder.AddAppDatabase();

var app = builder.Build();

if (app.IsCommandLineInvocation(args))
{
    return await app.RunCommandLineAsync(args);
}

app.UseApiDefaults();

app.MapApiDefaultEndpoints();
app.MapItemsEndpoints();

await app.MigrateDatabasesIfConfiguredAsync();
await app.RunAsync();
return 0;
