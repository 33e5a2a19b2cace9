// A fixed RSA-2048 key pair, its self-signed certificate and other key material for the WeChat
// Pay tests. Made once with the openssl command line for these tests only (never used anywhere
// else); the expected signature was computed with `openssl dgst -sha256 -sign`, so the tests
// compare our code with an independent implementation.
#pragma once

#include <string_view>

namespace gomall::wechatpay::test {

// PKCS#8 ("PRIVATE KEY").
inline constexpr std::string_view kPrivateKeyPkcs8 = R"PEM(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDN5EBCcJV0dwmy
PIuBxLnnCQwP5k47TcZ4hzQ0JPjlDJkb/2VdTGi6EC6l2vOyvrwG41pYVBq2W9UQ
Updq3jNRahsCLDvenMkh/j8xoWqkxRcTuK4KgFYM2f1aI7VTEM0qTUpU//+62/4G
UN4pHU87Af/iC5iz6PGW8rnJoBVaOSHgybwPxyF+tcl7COoHklMMPoKomjEYJd+/
cKqw+Zj7JqIOM+H7Db8mvxdt7c/S2RZYU72BzZYJFZj2htnAmjrua+r/erpo8fda
KPM9dkl9U6RPdR82rGdwwpapim75DlOx9fAejwMzMMlt3nTGc4q1vYnrBzTcjikd
jELrH/vpAgMBAAECggEAFKdz+E5HueUaoogPFSOlZAs86+fmO24CDdN/XcdDNiQJ
RH0ef6ljfJ3UtiPkrE7UuSqrxJ5cRySndzGX2btEYeOPZcyG7X4kMa4qC/olwvV4
Cw0M3YYSC8w+7YDVRunRsQ+LmEMNlgLNZPgOD0kOyow47YXNCehBewtqrpKp7bDN
NBKu8bjuHYx6Xhca2OIK4w/0RN0u75Xr1QxQXR6XVK/B0lZhYvJdVlbir2nnkrrZ
zzcYTQ7PpsijOBYbaSSr6BF32em8ZTVQ9XebIRRTzlkM3FNw6tyGSh1u7gvL+fI4
55aIafeqda4PKJbPkXlMnpifPD8zCyWDBHAKJTeDMQKBgQDsGxFnDpWA+Q442jbH
TKHGXY/Te4qx8P7Zcv4xoisyPS6D4XFFM7dP71jSr+hUZiqG+DXnA+0bLm0vPShv
lMSnHv2bDQs35Di4nCG8EudqsHrHmAoNBiy9qbu2Iomxsfc1wIISehgu+LRWkyQP
PGLCXjKWLrCb/8p0BXhS1oOq8QKBgQDfPXKNddI8zgnjrD7j2Vc7J4uwgwtx8S8A
Jb7rJuHQfCErR24yyxNjyOL5i0399mcOgkjQ85hT0GQaoVDsJlm0lm8R4zx5GixY
6bSfOoFc6EGOa3I09wCnFw/yt7J01PPBoYNdC9Hny+YBDxe1PcoB2CxmZthhIwci
PMLZTkcweQKBgHc9bFqJyQNrxLz9p7CbiRAvbFW4DOG0/mA/bRUP+5TRxU4hax0x
8yBRlqBA6qrFNjEX5dEX8IVLuySiVGuVzINCaX4G5mWBwwuo/niHa4w8OKXYqSrO
tYXL1Ns1Mikl4d2prYc7Vj9Sp3EZuppfOtlCzXV/ev4t/sb9hDkB0VlhAoGAImaC
p3/XdN0/MuFRE6VjRs9SPFIFSnqjBn/KiswEEi9+oP+x4IvgogjLyS6JRzBYMykq
dWCEQa4kLuJa6PkD68setH/yyqqY2N6yobLPSnTT3VF7WOQTKqxoHbvm+Q/zvAva
hVUT9Ic8Gz+rJJev8FbSiLkicN2H9OOuFvR0DekCgYEAsiGlwH5ByoPIyQqfeNu3
AjZID1+OK+E22kTzoyqbNk+8BxDrS0W8a+uEkK+4hUK9bH7ptOgPI0M2Uh4+zf5E
bLeks8GkKJaFMoI+RqtB05V6MUECSMOjfjJII1e8RT2U0niOqKXiQSngIrozJqaX
O6/KS8PuwlyWtconeqmqL5M=
-----END PRIVATE KEY-----
)PEM";

// The same key in the traditional PKCS#1 form ("RSA PRIVATE KEY").
inline constexpr std::string_view kPrivateKeyPkcs1 = R"PEM(-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAzeRAQnCVdHcJsjyLgcS55wkMD+ZOO03GeIc0NCT45QyZG/9l
XUxouhAupdrzsr68BuNaWFQatlvVEFKXat4zUWobAiw73pzJIf4/MaFqpMUXE7iu
CoBWDNn9WiO1UxDNKk1KVP//utv+BlDeKR1POwH/4guYs+jxlvK5yaAVWjkh4Mm8
D8chfrXJewjqB5JTDD6CqJoxGCXfv3CqsPmY+yaiDjPh+w2/Jr8Xbe3P0tkWWFO9
gc2WCRWY9obZwJo67mvq/3q6aPH3WijzPXZJfVOkT3UfNqxncMKWqYpu+Q5TsfXw
Ho8DMzDJbd50xnOKtb2J6wc03I4pHYxC6x/76QIDAQABAoIBABSnc/hOR7nlGqKI
DxUjpWQLPOvn5jtuAg3Tf13HQzYkCUR9Hn+pY3yd1LYj5KxO1Lkqq8SeXEckp3cx
l9m7RGHjj2XMhu1+JDGuKgv6JcL1eAsNDN2GEgvMPu2A1Ubp0bEPi5hDDZYCzWT4
Dg9JDsqMOO2FzQnoQXsLaq6Sqe2wzTQSrvG47h2Mel4XGtjiCuMP9ETdLu+V69UM
UF0el1SvwdJWYWLyXVZW4q9p55K62c83GE0Oz6bIozgWG2kkq+gRd9npvGU1UPV3
myEUU85ZDNxTcOrchkodbu4Ly/nyOOeWiGn3qnWuDyiWz5F5TJ6Ynzw/MwslgwRw
CiU3gzECgYEA7BsRZw6VgPkOONo2x0yhxl2P03uKsfD+2XL+MaIrMj0ug+FxRTO3
T+9Y0q/oVGYqhvg15wPtGy5tLz0ob5TEpx79mw0LN+Q4uJwhvBLnarB6x5gKDQYs
vam7tiKJsbH3NcCCEnoYLvi0VpMkDzxiwl4yli6wm//KdAV4UtaDqvECgYEA3z1y
jXXSPM4J46w+49lXOyeLsIMLcfEvACW+6ybh0HwhK0duMssTY8ji+YtN/fZnDoJI
0POYU9BkGqFQ7CZZtJZvEeM8eRosWOm0nzqBXOhBjmtyNPcApxcP8reydNTzwaGD
XQvR58vmAQ8XtT3KAdgsZmbYYSMHIjzC2U5HMHkCgYB3PWxaickDa8S8/aewm4kQ
L2xVuAzhtP5gP20VD/uU0cVOIWsdMfMgUZagQOqqxTYxF+XRF/CFS7skolRrlcyD
Qml+BuZlgcMLqP54h2uMPDil2KkqzrWFy9TbNTIpJeHdqa2HO1Y/UqdxGbqaXzrZ
Qs11f3r+Lf7G/YQ5AdFZYQKBgCJmgqd/13TdPzLhUROlY0bPUjxSBUp6owZ/yorM
BBIvfqD/seCL4KIIy8kuiUcwWDMpKnVghEGuJC7iWuj5A+vLHrR/8sqqmNjesqGy
z0p0091Re1jkEyqsaB275vkP87wL2oVVE/SHPBs/qySXr/BW0oi5InDdh/Tjrhb0
dA3pAoGBALIhpcB+QcqDyMkKn3jbtwI2SA9fjivhNtpE86MqmzZPvAcQ60tFvGvr
hJCvuIVCvWx+6bToDyNDNlIePs3+RGy3pLPBpCiWhTKCPkarQdOVejFBAkjDo34y
SCNXvEU9lNJ4jqil4kEp4CK6MyamlzuvykvD7sJclrXKJ3qpqi+T
-----END RSA PRIVATE KEY-----
)PEM";

// Its public half (SubjectPublicKeyInfo).
inline constexpr std::string_view kPublicKey = R"PEM(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzeRAQnCVdHcJsjyLgcS5
5wkMD+ZOO03GeIc0NCT45QyZG/9lXUxouhAupdrzsr68BuNaWFQatlvVEFKXat4z
UWobAiw73pzJIf4/MaFqpMUXE7iuCoBWDNn9WiO1UxDNKk1KVP//utv+BlDeKR1P
OwH/4guYs+jxlvK5yaAVWjkh4Mm8D8chfrXJewjqB5JTDD6CqJoxGCXfv3CqsPmY
+yaiDjPh+w2/Jr8Xbe3P0tkWWFO9gc2WCRWY9obZwJo67mvq/3q6aPH3WijzPXZJ
fVOkT3UfNqxncMKWqYpu+Q5TsfXwHo8DMzDJbd50xnOKtb2J6wc03I4pHYxC6x/7
6QIDAQAB
-----END PUBLIC KEY-----
)PEM";

// A self-signed certificate holding that public key.
inline constexpr std::string_view kCertificate = R"PEM(-----BEGIN CERTIFICATE-----
MIIDITCCAgmgAwIBAgIUE0vqVH9bJfryBp1HAj+5ih773uYwDQYJKoZIhvcNAQEL
BQAwHzEdMBsGA1UEAwwUR29NYWxsIHRlc3QgcGxhdGZvcm0wIBcNMjYxMjA1MTIw
MzM4WhgPMjEyNjExMTExMjAzMzhaMB8xHTAbBgNVBAMMFEdvTWFsbCB0ZXN0IHBs
YXRmb3JtMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzeRAQnCVdHcJ
sjyLgcS55wkMD+ZOO03GeIc0NCT45QyZG/9lXUxouhAupdrzsr68BuNaWFQatlvV
EFKXat4zUWobAiw73pzJIf4/MaFqpMUXE7iuCoBWDNn9WiO1UxDNKk1KVP//utv+
BlDeKR1POwH/4guYs+jxlvK5yaAVWjkh4Mm8D8chfrXJewjqB5JTDD6CqJoxGCXf
v3CqsPmY+yaiDjPh+w2/Jr8Xbe3P0tkWWFO9gc2WCRWY9obZwJo67mvq/3q6aPH3
WijzPXZJfVOkT3UfNqxncMKWqYpu+Q5TsfXwHo8DMzDJbd50xnOKtb2J6wc03I4p
HYxC6x/76QIDAQABo1MwUTAdBgNVHQ4EFgQUXNjoddpUlUpruEsv+iZ7FJdJhCgw
HwYDVR0jBBgwFoAUXNjoddpUlUpruEsv+iZ7FJdJhCgwDwYDVR0TAQH/BAUwAwEB
/zANBgkqhkiG9w0BAQsFAAOCAQEAdGdTp+LyKUkWW3SDrJMDyPwqj46G5S6pjQEv
molj4wM6kOGyuYP9GpNIIuMPpNy/rKG4fap0bLbq5Z+zCM1+GpTpT8gzqJrlt7Ml
FLcekm/qklM4J/VoZhtCYmoGr7rAW6utUjE2s4BTMLYlyXYs3ggYo4pfa+4rrr9B
Hc7VfYYZ0hJKSRKtn5tw1nHuV9GusS0r5hLY2oYotSujC36ggjQWyCiS1+i+4BxR
kfefBEgKBIgpttH5C9QEfd3AtSzeDt8h+92pVs1BHMogRFpJu+3k5r+dVrT9xU2q
U0MOgIcCGnMy3XUDeABEmw4xEv7rrR+ymkQD5TEcjkTDxaljCw==
-----END CERTIFICATE-----
)PEM";

// A 1024-bit RSA key: too short for APIv3's RSA2048.
inline constexpr std::string_view kSmallPrivateKey = R"PEM(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAL129JOGYP4wLa/I
sqqlSznNeQMV7KYLiDvxjxcwF645MfCixVy+sXAK6PAkHWC1D8eTV86f80fCYfQm
sbK+rgKjFeMIBaM8BgbUVaooBD5F79xxp/8ISg7/31YriRLBvIzts+ZvdsB3aLPD
ic2a7qI5R15bGruoNXnW2a8MBiUxAgMBAAECgYAa94N4O/gyNclK69YCU+SRJZ3D
wqscNyf84DTtp/q24Y0qIwDUYo/+0o61H27PBPZqAZ7N2hZWcGRgy+Ee/+TkXCuk
jhnyPITwfiuasOYOpVKRkbNriwA8YQiqovfzpy/ksMD5kLRj2KpfMQAqe6F0deFM
Zzqf27DjEmGhryyhAQJBAPQUNSjmxnLQxyS4VEq1Nste2MO38C2D70tDF6hNwG32
ytmpW59HSEa+gD2ZE2+FtncQZHBkeEAN/15cJBTCn5UCQQDGt+OdS6RnFwhF5YuI
GejeNe4LxRngKLh68t4HVQwX9NsW9Z73UnkmLNb/l0Xr2cTqdGOCAumnze8vB8AT
abgtAkAKTxAvug+Hqem/U0m8HgtCa68cFRi/02K3+w10vlPyUQogR1bnU0tqMYGZ
GG4Jt8wNG1QiqxupGO5APgQIHHBBAkAyh+Y4RFjc4g13gKRXiocdokcS9R7cUl5+
3S06XhUCLoBbuT+gEne+Dl7phXUBQVICcHAxSj5SLlqo8eaUyShNAkEAhKIQ3B8Z
Fi5PT5eDxiPAaNuBNmIxJKCVq4qz983hO+x4FV5RgMc4NYCk+8JzLjSafIwm9UPL
lGBXmboU81EFUQ==
-----END PRIVATE KEY-----
)PEM";

// A P-256 key: not RSA.
inline constexpr std::string_view kEcPrivateKey = R"PEM(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFR+7QemxVKzPQRdq
noCsJNkSjHeZPbstkYhaASo/62KhRANCAARbP+Y2/7BVLQzsZthB7sYzZAXwP7iF
BoFWsDhuVjvtpmpXAcII521y9WRYF96na3X6al0MMlfqu7uRJ7i0xQws
-----END PRIVATE KEY-----
)PEM";

// The request message of WeChat Pay's APIv3 signing walkthrough (GET /v3/certificates).
inline constexpr std::string_view kDocRequestMessage =
    "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n";
// kDocRequestMessage signed with kPrivateKeyPkcs8 by `openssl dgst -sha256 -sign`, base64.
inline constexpr std::string_view kDocRequestSignature =
    "yqAb+H0mF+D5i1TA2Nj+ayVFabA9qxBfy+MtEgo3IHJyTLAHwKn7J1X6DwzIGBcKPGtVoV3fTlqphVxmwyQfOjKa"
    "Uj/EhpRfYKWHDQMDJjxdaYuJ7nvcF1CL/xrSqjambjI4jV0DebuFHDffhiOPYlCivrVkxtcBVmRu5k4lu8u+QX1q"
    "zAikK6SNgB164bNA5RB7+vVP7alCrPvYCJNNGSvkIx1ET+Selip/ddivv3ViQB1m60nFrtXrlk0BH9jZN2jZlLb9"
    "Kewlafm2AEOwVxEtdeDSYEX1RwrQKpClnUJXdLAmRh9OLI9mePkNgSLxS6VvAO7XFXm7RR6YIxmLVg==";

}  // namespace gomall::wechatpay::test
