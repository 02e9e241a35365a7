using Serverless.Data.Client.Faults;
using Serverless.Data.Privacy;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client.Faults;

/// <summary>
/// The keyring's creation and its unwrap through moto's KMS with every KMS call faulted and the SDK's retries off,
/// each operation on a fresh table access (a cold instance: its keyring not yet read, so every one needs KMS): a user
/// create or read either succeeds, exactly, or fails to its caller with nothing written; the table ends with one
/// version of each key. docs/reliability.md holds the rows.
/// </summary>
public sealed class KmsUnderFaultsTests(DynamoDbLocalFixture dynamo, MotoKmsFixture kms)
{
    private const int Operations = 20;
    private const double Rate = 0.3;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Under_kms_faults_a_read_or_write_that_needs_kms_succeeds_exactly_or_fails_with_nothing_written(FaultClass fault)
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, Ct);
        var keyId = await kms.CreateKeyAsync(Ct);
        var (faultedKms, counters) = kms.CreateFaultedClient(FaultOptions.Only(fault, Rate, seed: 90 + (int)fault), config => config.MaxErrorRetry = 0);
        using var owned = faultedKms;
        var clean = Users(table, new KmsRootKey(kms.Client, keyId));
        var (written, failedClean, half, read, readFailed, wrong) = (0, 0, 0, 0, 0, 0);
        var stored = new List<User>();

        for (var i = 0; i < Operations; i++)
        {
            var user = new User { Id = Guid.NewGuid(), Email = $"kms{i}.{Guid.NewGuid():N}@example.com", Name = $"Kms Person {i}", PasswordHash = "$pbkdf2$test" };
            var before = (await table.EveryItemAsync(Ct)).Count;
            try
            {
                stored.Add(await Users(table, new KmsRootKey(faultedKms, keyId)).CreateAsync(user, "test:kms", Ct));
                written++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // Failed to its caller: the user must not be there at all (the keyring, made on the first use, may be).
                var after = await table.EveryItemAsync(Ct);
                var userItems = after.Count(it => it.Values.Any(v => v.S?.Contains(user.Id.ToString("D"), StringComparison.Ordinal) == true));
                if (userItems == 0 && await clean.GetAsync(user.Id, Ct) is null)
                {
                    failedClean++;
                }
                else
                {
                    half++;
                }
            }

            foreach (var existing in stored.TakeLast(2))
            {
                try
                {
                    var got = await Users(table, new KmsRootKey(faultedKms, keyId)).GetAsync(existing.Id, Ct);
                    read++;
                    wrong += (got?.Name, got?.Email) == (existing.Name, existing.Email) ? 0 : 1;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    readFailed++;
                }
            }
        }

        // Every acknowledged user reads back, fault-free, as it was written.
        foreach (var user in stored)
        {
            wrong += (await clean.GetAsync(user.Id, Ct))?.Name == user.Name ? 0 : 1;
        }

        var versions = await new TableAccess(table.Admin, table.Options(), TimeProvider.System, new KmsRootKey(kms.Client, keyId)).Privacy.Keyring.VersionsAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| `{fault}` | {Rate} | {Operations} | {written} | {failedClean} | {half} | {read} | {readFailed} | {wrong} | {counters.TotalInjected} / {counters.Eligible} |");
        Assert.True(counters.Injected(fault) > 0, "no fault was injected");
        Assert.Equal(0, half);
        Assert.Equal(0, wrong);
        Assert.Equal(Operations, written + failedClean);
        Assert.Equal([(KeyPurpose.Field, 1), (KeyPurpose.Blind, 1)], versions.Select(v => (v.Purpose, v.Version)).Order());
    }

    private static UserRepository Users(TestTable table, IRootKey root) => new(new TableAccess(table.Admin, table.Options(), TimeProvider.System, root));
}
