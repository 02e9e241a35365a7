using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Serverless.Data.Table;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// Records every AWS request a function makes, as IAM would authorize it in the deployed stack. DynamoDB requests come
/// from the SDK client's own hook (<see cref="AmazonServiceClient.BeforeRequestEvent"/>: the typed request, so each
/// item of a transaction or batch counts with its table and partition key); the local event-source-mapping emulator's
/// stream requests from a handler under its streams client. The local table stands for the template's Table: its
/// name, indexes and stream become the ARNs a deploy gives them.
/// </summary>
internal sealed partial class CallRecorder(string localTable, DeployedTemplate template) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<AwsCall> _calls = new();
    private readonly string _tableArn = template.AttributeOf("Table", "Arn");
    private string? _lastStream;

    public IReadOnlyList<AwsCall> Calls => [.. _calls];

    public void Add(AwsCall call) => _calls.Enqueue(call);

    /// <summary>Records what <paramref name="client"/> sends from now on (any SDK client built on AmazonServiceClient).</summary>
    public IAmazonDynamoDB Attach(IAmazonDynamoDB client)
    {
        var service = client as AmazonServiceClient ?? throw new InvalidOperationException($"{client.GetType()} is not an SDK client; record the one it wraps.");
        service.BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Request: { } request })
            {
                foreach (var call in Translate(request))
                {
                    _calls.Enqueue(call);
                }
            }
        };
        return client;
    }

    /// <summary>
    /// Records what a KMS client sends from now on: GenerateDataKey and Decrypt on <paramref name="localKey"/> (moto's key)
    /// become calls on the template's FieldKey, with the encryption context as IAM sees it
    /// (<c>kms:EncryptionContext:&lt;name&gt;</c>; the local table's name becomes the template table's).
    /// </summary>
    public IAmazonKeyManagementService AttachKms(IAmazonKeyManagementService client, string localKey)
    {
        var service = client as AmazonServiceClient ?? throw new InvalidOperationException($"{client.GetType()} is not an SDK client; record the one it wraps.");
        var fieldKey = template.AttributeOf("FieldKey", "Arn");
        var tableName = template.RefOf("Table");
        service.BeforeRequestEvent += (_, e) =>
        {
            if (e is not WebServiceRequestEventArgs { Request: { } request })
            {
                return;
            }

            var (action, keyId, context) = request switch
            {
                Amazon.KeyManagementService.Model.GenerateDataKeyRequest r => ("kms:GenerateDataKey", r.KeyId, r.EncryptionContext),
                Amazon.KeyManagementService.Model.DecryptRequest r => ("kms:Decrypt", r.KeyId, r.EncryptionContext),
                _ => ("kms:" + request.GetType().Name.Replace("Request", "", StringComparison.Ordinal), "*", null),
            };
            _calls.Enqueue(new AwsCall(action, keyId == localKey ? fieldKey : keyId ?? "*", AwsCall.Code)
            {
                Context = (context ?? []).ToDictionary(c => "kms:EncryptionContext:" + c.Key, c => c.Key == "table" && c.Value == localTable ? tableName : c.Value, StringComparer.Ordinal),
            });
        };
        return client;
    }

    /// <summary>The emulator's DynamoDB Streams requests (JSON over HTTP, with the stream ARN in the body).</summary>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.Single() : "(none)";
        var body = request.Content is null ? "{}" : await request.Content.ReadAsStringAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        // GetRecords names its shard iterator only; IAM authorizes it on the stream the iterator was taken from (the
        // test table has one stream).
        var stream = json.RootElement.TryGetProperty("StreamArn", out var arn)
            ? _lastStream = StreamArn(arn.GetString()!)
            : _lastStream ?? "*";
        _calls.Enqueue(new AwsCall("dynamodb:" + target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..], stream, FunctionRole.LambdaStream));
        return await base.SendAsync(request, cancellationToken);
    }

    private IEnumerable<AwsCall> Translate(AmazonWebServiceRequest request) => request switch
    {
        GetItemRequest r => [Item("GetItem", r.TableName, r.Key)],
        PutItemRequest r => [Item("PutItem", r.TableName, r.Item)],
        UpdateItemRequest r => [Item("UpdateItem", r.TableName, r.Key)],
        DeleteItemRequest r => [Item("DeleteItem", r.TableName, r.Key)],
        QueryRequest r => [Query(r)],
        BatchGetItemRequest r => r.RequestItems.Select(t => Many("BatchGetItem", t.Key, t.Value.Keys)),
        BatchWriteItemRequest r => r.RequestItems.Select(t => Many("BatchWriteItem", t.Key, t.Value.Select(w => w.PutRequest?.Item ?? w.DeleteRequest.Key))),
        // IAM authorizes a transaction item by item, each as its own action.
        TransactWriteItemsRequest r => r.TransactItems.Select(i =>
            i.Put is { } put ? Item("PutItem", put.TableName, put.Item)
            : i.Update is { } update ? Item("UpdateItem", update.TableName, update.Key)
            : i.Delete is { } delete ? Item("DeleteItem", delete.TableName, delete.Key)
            : Item("ConditionCheckItem", i.ConditionCheck.TableName, i.ConditionCheck.Key)),
        TransactGetItemsRequest r => r.TransactItems.Select(i => Item("GetItem", i.Get.TableName, i.Get.Key)),
        // And a PartiQL batch statement by statement, each as the PartiQL action of its verb.
        BatchExecuteStatementRequest r => r.Statements.Select(Statement),
        // Anything else (Scan, DescribeTable, ...) is recorded as what it is, on the table it names if any.
        _ => [new AwsCall("dynamodb:" + request.GetType().Name.Replace("Request", "", StringComparison.Ordinal), TableArnOf(request.GetType().GetProperty("TableName")?.GetValue(request) as string), AwsCall.Code)],
    };

    private AwsCall Item(string action, string table, Dictionary<string, AttributeValue> key) =>
        new("dynamodb:" + action, TableArnOf(table), AwsCall.Code) { LeadingKeys = [key[Attr.PK].S] };

    private AwsCall Many(string action, string table, IEnumerable<Dictionary<string, AttributeValue>> keys) =>
        new("dynamodb:" + action, TableArnOf(table), AwsCall.Code) { LeadingKeys = [.. keys.Select(k => k[Attr.PK].S)] };

    /// <summary>
    /// A PartiQL statement as IAM sees it: PartiQLUpdate, PartiQLInsert, PartiQLDelete or PartiQLSelect on the quoted
    /// table it names, with the partition key its <c>"PK" = ?</c> binds (the n-th <c>?</c> takes the n-th parameter).
    /// </summary>
    private AwsCall Statement(BatchStatementRequest statement)
    {
        var text = statement.Statement;
        var verb = text.TrimStart().Split(' ', 2)[0].ToUpperInvariant();
        var action = verb switch
        {
            "UPDATE" => "PartiQLUpdate",
            "INSERT" => "PartiQLInsert",
            "DELETE" => "PartiQLDelete",
            "SELECT" => "PartiQLSelect",
            _ => throw new InvalidOperationException($"Not a PartiQL statement this recorder knows: {verb}."),
        };
        var table = StatementTable().Match(text) is { Success: true } t ? t.Groups[1].Value : null;
        var partition = PartitionEquality().Match(text);
        string[] keys = partition.Success ? [statement.Parameters[text[..(partition.Index + partition.Length)].Count(c => c == '?') - 1].S] : [];
        return new AwsCall("dynamodb:" + action, TableArnOf(table), AwsCall.Code) { LeadingKeys = keys };
    }

    private AwsCall Query(QueryRequest request)
    {
        if (request.IndexName is { Length: > 0 } index)
        {
            // An index Query's key is the index's own; the roles grant index Queries without key conditions.
            return new AwsCall("dynamodb:Query", TableArnOf(request.TableName) + "/index/" + index, AwsCall.Code);
        }

        var partition = KeyEquality().Matches(request.KeyConditionExpression)
            .Select(m => (Name: m.Groups[1].Value.StartsWith('#') ? request.ExpressionAttributeNames[m.Groups[1].Value] : m.Groups[1].Value, Value: m.Groups[2].Value))
            .Single(p => p.Name == Attr.PK);
        return new AwsCall("dynamodb:Query", TableArnOf(request.TableName), AwsCall.Code) { LeadingKeys = [request.ExpressionAttributeValues[partition.Value].S] };
    }

    private string TableArnOf(string? table) =>
        table == localTable ? _tableArn : table is null ? "*" : $"arn:aws:dynamodb:{DeployedTemplate.Region}:{DeployedTemplate.Account}:table/{table}";

    // arn:aws:dynamodb:ddblocal:000000000000:table/<local>/stream/<label> -> the template table's stream with that label.
    private string StreamArn(string local) =>
        local.Contains($":table/{localTable}/stream/", StringComparison.Ordinal) ? _tableArn + local[local.IndexOf("/stream/", StringComparison.Ordinal)..] : local;

    [GeneratedRegex(@"(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)")]
    private static partial Regex KeyEquality();

    [GeneratedRegex(@"^\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|SELECT\s.+?\sFROM)\s+""([^""]+)""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex StatementTable();

    [GeneratedRegex(@"""PK""\s*=\s*\?")]
    private static partial Regex PartitionEquality();
}
