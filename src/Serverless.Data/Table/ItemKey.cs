namespace Serverless.Data.Table;

/// <summary>The primary key of one item.</summary>
public readonly record struct ItemKey(string PK, string SK)
{
    public Dictionary<string, AttributeValue> ToAttributes() => new()
    {
        [Attr.PK] = new AttributeValue { S = PK },
        [Attr.SK] = new AttributeValue { S = SK },
    };

    public override string ToString() => $"{PK} / {SK}";
}
