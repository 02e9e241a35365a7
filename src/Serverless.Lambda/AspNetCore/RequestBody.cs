using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Serverless.Lambda.AspNetCore;

internal static class RequestBody
{
    /// <summary>Decodes the event body and makes Content-Length describe what the app will actually read.</summary>
    public static void Apply(LambdaHttpFeatures features, string? body, bool isBase64Encoded)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        features.CanHaveBody = true;
        byte[] bytes;
        int length;
        if (isBase64Encoded)
        {
            bytes = new byte[(body.Length / 4 * 3) + 3];
            if (!Convert.TryFromBase64String(body, bytes, out length))
            {
                features.Body = new InvalidBase64BodyStream();
                features.Headers.Remove(HeaderNames.ContentLength);
                return;
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(body);
            length = bytes.Length;
        }

        features.Body = new MemoryStream(bytes, 0, length, writable: false, publiclyVisible: true);
        features.Headers[HeaderNames.ContentLength] = length.ToString(CultureInfo.InvariantCulture);
    }
}
