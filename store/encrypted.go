package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"gorm.io/gorm/schema"

	"github.com/dianshubao/dianshubao/datakey"
)

// The models mark personal information with `serializer:encrypted`: they keep plain values in
// Go, and every statement run through a Store seals them on the way in and opens them on the
// way out with the Store's data keyring (carried by the statement's context, see conn).
func init() { schema.RegisterSerializer("encrypted", encryptedSerializer{}) }

// errNoKeyring is a statement run on a handle that does not carry the store's keyring (a bare
// gorm handle): refusing it is better than writing a value in clear.
var errNoKeyring = errors.New("no data keyring on this database handle: run the statement through the store")

type encryptedSerializer struct{}

// Scan implements schema.SerializerInterface for string, *string and []byte fields.
func (encryptedSerializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
	rv := field.ReflectValueOf(ctx, dst)
	if dbValue == nil {
		rv.Set(reflect.Zero(field.FieldType))
		return nil
	}
	var stored string
	switch v := dbValue.(type) {
	case []byte:
		stored = string(v)
	case string:
		stored = v
	default:
		return fmt.Errorf("encrypted column %s: unexpected %T", field.DBName, dbValue)
	}
	plain := stored
	if _, ok := sealedKid(stored); ok {
		k := datakey.From(ctx)
		if k == nil {
			return errNoKeyring
		}
		var err error
		if plain, err = k.Decrypt(stored); err != nil {
			return fmt.Errorf("column %s: %w", field.DBName, err)
		}
	}
	switch field.FieldType.Kind() {
	case reflect.String:
		rv.SetString(plain)
	case reflect.Pointer:
		rv.Set(reflect.ValueOf(&plain))
	case reflect.Slice:
		rv.SetBytes([]byte(plain))
	default:
		return fmt.Errorf("encrypted column %s: unsupported type %s", field.DBName, field.FieldType)
	}
	return nil
}

// Value implements schema.SerializerValuerInterface.
func (encryptedSerializer) Value(ctx context.Context, field *schema.Field, _ reflect.Value, fieldValue any) (any, error) {
	var plain string
	switch v := fieldValue.(type) {
	case string:
		plain = v
	case *string:
		if v == nil {
			return nil, nil
		}
		plain = *v
	case []byte:
		if v == nil && field.TagSettings["NOT NULL"] == "" {
			return nil, nil
		}
		plain = string(v)
	default:
		return nil, fmt.Errorf("encrypted column %s: unsupported %T", field.DBName, fieldValue)
	}
	k := datakey.From(ctx)
	if k == nil {
		return nil, errNoKeyring
	}
	sealed := k.Encrypt(plain)
	if field.FieldType.Kind() == reflect.Slice {
		return []byte(sealed), nil
	}
	return sealed, nil
}

// sealedKid reports the key id of a sealed value.
func sealedKid(stored string) (string, bool) {
	if len(stored) < len(datakey.Prefix)+9 || stored[:len(datakey.Prefix)] != datakey.Prefix {
		return "", false
	}
	rest := stored[len(datakey.Prefix):]
	if rest[8] != ':' {
		return "", false
	}
	return rest[:8], true
}
