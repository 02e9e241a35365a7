using System.Net;
using System.Net.Http.Json;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary><c>serve --faults</c>: the API's and the stream functions' DynamoDB clients faulted, and the API's KMS client when it has one; the stack's own not.</summary>
public sealed partial class LocalStackTests
{
    [Fact]
    public async Task Serve_with_lost_responses_on_every_call_still_writes_through_the_api_and_feeds_the_stream_functions()
    {
        await WithServeAsync("--faults=lost=0.3,seed=5", async (ready, ct) =>
        {
            Assert.Contains("| faults: lost=0.3,seed=5", ready, StringComparison.Ordinal);
            // Each write applied and its response dropped about one time in three: the user, product, order and
            // rename are each answered once, and the audit and denormalization functions (faulted alike) still finish.
            await UseStackAsync(new Uri(ReadyLine().Match(ready).Groups["api"].Value), ct);
        });
    }

    [Fact]
    public async Task Serve_with_faults_on_one_operation_fails_the_api_calls_that_need_it_and_no_other()
    {
        await WithServeAsync("--faults=500=1,ops=DynamoDB_20120810.TransactWriteItems", async (ready, ct) =>
        {
            using var http = Client(new Uri(ReadyLine().Match(ready).Groups["api"].Value), "local-stack-test");
            // A product is a single conditional put: untouched. A user is a transaction: every attempt gets a 500.
            var product = await http.PostAsJsonAsync("products", new { name = "Faulted Widget", price = 1.5m }, ct);
            Assert.Equal(HttpStatusCode.Created, product.StatusCode);
            var user = await http.PostAsJsonAsync(
                "users", new { email = $"faults-{Guid.NewGuid():N}@example.com", name = "Fault Tester", password = "a long enough passphrase" }, ct);
            Assert.True((int)user.StatusCode >= 500, $"a user create under a faulted transaction answered {(int)user.StatusCode}");
        });
    }

    [Fact]
    public async Task Serve_with_faults_on_kms_fails_the_api_calls_that_need_the_keyring_and_no_other()
    {
        var ct = TestContext.Current.CancellationToken;
        var keyId = await kms.CreateKeyAsync(ct);
        using var serve = StartServe("--faults=500=1,ops=TrentService.GenerateDataKey+TrentService.Decrypt", kmsKeyId: keyId);
        try
        {
            using var http = Client(await WaitForReadyAsync(serve, ct), "local-stack-test");
            // A product holds no PII: no key needed. A user's email and name are sealed under the keyring, which the
            // table's first use makes under the KMS key (GenerateDataKey): every attempt gets a 500, nothing is written.
            var product = await http.PostAsJsonAsync("products", new { name = "Keyless Widget", price = 2.5m }, ct);
            Assert.Equal(HttpStatusCode.Created, product.StatusCode);
            var email = $"kms-faults-{Guid.NewGuid():N}@example.com";
            var user = await http.PostAsJsonAsync("users", new { email, name = "Kms Fault Tester", password = "a long enough passphrase" }, ct);
            Assert.True((int)user.StatusCode >= 500, $"a user create under a faulted KMS answered {(int)user.StatusCode}");
            Assert.DoesNotContain(email, await user.Content.ReadAsStringAsync(ct), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Serve_with_a_fault_spec_it_cannot_read_exits_saying_what_is_wrong()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe("--faults=flaky=0.5");
        var stderr = serve.StandardError.ReadToEndAsync(ct);
        _ = serve.StandardOutput.ReadToEndAsync(ct);
        await serve.WaitForExitAsync(ct);

        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("--faults: Unknown fault 'flaky'", await stderr, StringComparison.Ordinal);
    }

    /// <summary>Serve with <paramref name="option"/> until <paramref name="use"/> (given the ready line) is done, then killed.</summary>
    private async Task WithServeAsync(string option, Func<string, CancellationToken, Task> use)
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe(option);
        try
        {
            await use(await WaitForReadyLineAsync(serve, ct), ct);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync(CancellationToken.None);
        }
    }
}
