package app

import "github.com/h3lix/h3lix/app/params"

// EncodingConfig bundles the codecs the app and its clients share.
type EncodingConfig = params.EncodingConfig

// MakeEncodingConfig builds the codecs with the standard types registered;
// module types are added by the basic module manager.
func MakeEncodingConfig() EncodingConfig { return params.MakeEncodingConfig() }
