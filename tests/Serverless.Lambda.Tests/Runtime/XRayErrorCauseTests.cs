using System.Text.Json;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Tests.Runtime;

/// <summary>
/// The X-Ray error cause as AWS's .NET runtime writes it (Amazon.Lambda.RuntimeSupport's LambdaExceptionHandlingTests):
/// one line, the working directory, the exception with its frames (path, Type.Method label, line) and the source paths.
/// </summary>
public sealed class XRayErrorCauseTests
{
    [Fact]
    public void A_user_code_exception_is_one_line_with_its_frames_and_paths()
    {
        Exception? exception = null;
        try
        {
            ThrowTest();
        }
        catch (ApplicationException e)
        {
            exception = e;
        }

        var json = RuntimeErrorReport.XRayCause(exception!);

        Assert.NotNull(json);
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\r', json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("working_directory").GetString()));
        var thrown = root.GetProperty("exceptions").EnumerateArray().First();
        Assert.Equal("ApplicationException", thrown.GetProperty("type").GetString());
        Assert.Equal("This is a fake Exception", thrown.GetProperty("message").GetString());
        var frame = thrown.GetProperty("stack").EnumerateArray().First();
        Assert.False(string.IsNullOrEmpty(frame.GetProperty("path").GetString()));
        Assert.Equal("XRayErrorCauseTests.ThrowTest", frame.GetProperty("label").GetString());
        Assert.True(frame.GetProperty("line").GetInt32() > 0);
        var paths = root.GetProperty("paths").EnumerateArray().ToArray();
        Assert.Single(paths);
        Assert.Contains("XRayErrorCauseTests.cs", paths[0].GetString(), StringComparison.Ordinal);
    }

    private static void ThrowTest() => throw new ApplicationException("This is a fake Exception");
}
