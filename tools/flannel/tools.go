//go:build tools

// This module exists only to build flanneld (github.com/flannel-io/flannel, pinned in go.mod)
// with one dependency fixed: flannel v0.28.10 requires tencentcloud-sdk-go/tencentcloud/vpc
// v1.3.188, whose module zip the Go module proxy refuses (403). We replace it with v1.0.1000,
// which the proxy serves and which builds; the Tencent VPC backend is never used here (we run
// the vxlan backend). CGO is required: flannel's udp backend on amd64 is a cgo proxy.
package tools

import _ "github.com/flannel-io/flannel"
