using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Serverless.Lambda.AspNetCore;

internal static class RequestBody
{
    /// <summary>
    /// Decodes the event body and makes Content-Length describe it. The event holds the whole body, so the length is
    /// always declared (0 for none), as Kestrel has it for a request with Content-Length: middleware that would read an
    /// undeclared body to measure it (the API's body limit) never has to, and a route that reads no body never
    /// touches one it cannot decode.
    /// </summary>
    public static void Apply(LambdaHttpFeatures features, string? body, bool isBase64Encoded)
    {
        if (string.IsNullOrEmpty(body))
        {
            features.Headers[HeaderNames.ContentLength] = "0";
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
                // What the bytes would be is unknown; the size of what was sent bounds it, so body limits still apply
                // without a read, and the read itself fails with the reason.
                features.Body = new InvalidBase64BodyStream(features);
                features.Headers[HeaderNames.ContentLength] = Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture);
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
