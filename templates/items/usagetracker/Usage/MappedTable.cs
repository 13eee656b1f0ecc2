using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AuthApiTemplate.Usage;

/// <summary>
/// The table and column names EF Core maps an entity to, quoted for the app's provider. The two statements
/// that bypass EF's pipeline for speed (the raw row insert, the endpoint window read) are written with it,
/// so a rename in an entity's configuration reaches them too.
/// </summary>
internal sealed class MappedTable
{
    private readonly IEntityType _entity;
    private readonly StoreObjectIdentifier _table;
    private readonly ISqlGenerationHelper _sql;

    private MappedTable(DbContext db, IEntityType entity)
    {
        _entity = entity;
        _table = StoreObjectIdentifier.Table(
            entity.GetTableName() ?? throw new InvalidOperationException($"{entity.DisplayName()} is not mapped to a table."),
            entity.GetSchema());
        _sql = db.GetService<ISqlGenerationHelper>();
    }

    public static MappedTable For<TEntity>(DbContext db) =>
        new(db, db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model."));

    public string Name => _sql.DelimitIdentifier(_table.Name, _table.Schema);

    public string Column(string property) =>
        _sql.DelimitIdentifier(_entity.FindProperty(property)?.GetColumnName(_table)
            ?? throw new InvalidOperationException($"{_entity.DisplayName()}.{property} is not mapped to a column."));
}
