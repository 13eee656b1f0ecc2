using System.ComponentModel.DataAnnotations;
#if (anyAuth)
using AuthApiTemplate.Auth;
#endif
using AuthApiTemplate.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Items;

public static class ItemsEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapItemsEndpoints(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/items").WithTags("Items");
        var reads = items.MapGroup("");
        var writes = items.MapGroup("");
#if (anyAuth)
        reads.RequireScope(ItemScopes.Read);
        writes.RequireScope(ItemScopes.Write);
#endif

        reads.MapGet("/", ListItemsAsync).WithName("ListItems").WithSummary("List items, oldest first.");
        reads.MapGet("/{id:guid}", GetItemAsync).WithName("GetItem").WithSummary("Get one item.");
        writes.MapPost("/", CreateItemAsync).WithName("CreateItem").WithSummary("Create an item.");
        writes.MapPut("/{id:guid}", UpdateItemAsync).WithName("UpdateItem").WithSummary("Replace an item's name and description.");
        writes.MapDelete("/{id:guid}", DeleteItemAsync).WithName("DeleteItem").WithSummary("Delete an item.");

        return app;
    }

    private static async Task<Ok<List<ItemResponse>>> ListItemsAsync(
        AppDbContext db,
        CancellationToken cancellationToken,
        [Range(0, int.MaxValue)] int offset = 0,
        [Range(1, MaxPageSize)] int limit = DefaultPageSize)
    {
        // Version 7 ids sort by creation time, which gives a stable order on every provider.
        var page = await db.Items.AsNoTracking()
            .OrderBy(i => i.Id)
            .Skip(offset)
            .Take(limit)
            .Select(i => new ItemResponse(i.Id, i.Name, i.Description, i.CreatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<ItemResponse>, NotFound>> GetItemAsync(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        return item is null ? TypedResults.NotFound() : TypedResults.Ok(ItemResponse.From(item));
    }

    private static async Task<Created<ItemResponse>> CreateItemAsync(
        ItemRequest request, AppDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
#if (usePostgres)
        // PostgreSQL keeps microseconds: the response shows the instant exactly as it is stored.
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
#endif
        var item = new Item
        {
            Id = Item.NewId(now),
            Name = request.Name.Trim(),
            Description = request.Description,
            CreatedAt = now,
        };
        db.Items.Add(item);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/items/{item.Id}", ItemResponse.From(item));
    }

    private static async Task<Results<Ok<ItemResponse>, NotFound>> UpdateItemAsync(
        Guid id, ItemRequest request, AppDbContext db, CancellationToken cancellationToken)
    {
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (item is null)
        {
            return TypedResults.NotFound();
        }

        item.Name = request.Name.Trim();
        item.Description = request.Description;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ItemResponse.From(item));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteItemAsync(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Items.Where(i => i.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
